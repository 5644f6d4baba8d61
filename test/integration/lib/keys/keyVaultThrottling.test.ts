// Key Vault throttling and outages: the SDK's own retry honours Retry-After; a bare 429 backs off 1, 2, 4, 8, 16 s (scaled here).
import { KeyClient } from "@azure/keyvault-keys";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sandboxCredential } from "../../../../sandbox/identity";
import { startKeyVaultEmulator, type KeyVaultEmulator } from "../../../../sandbox/keyvault";
import { createAzureClients } from "../../../../src/lib/azure";
import { isDomainError } from "../../../../src/lib/errors";
import { createKeyVaultGateway, type KeyVaultGateway } from "../../../../src/lib/keys";
import { loadSettings } from "../../../../src/lib/settings";

const key = { vaultName: "kv1", keyName: "cmk" };

describe("Key Vault gateway under throttling", () => {
  let emulator: KeyVaultEmulator;
  let gateway: KeyVaultGateway;
  /** The app's own clients with the backoff scaled down: 20, 40, 80, 160, 320 ms instead of 1 … 16 s. */
  let quickBackoff: KeyVaultGateway;
  let noRetries: KeyVaultGateway;

  beforeAll(async () => {
    // One create per 1.5 s window: the second create must wait for the window, told by Retry-After.
    emulator = await startKeyVaultEmulator({
      vaults: [{ name: "kv1" }],
      throttling: { windowMs: 1_500, createSoftware: 1 },
      keyPool: { 2048: 3 },
    });
    const settings = loadSettings({
      AzureWebJobsStorage: "UseDevelopmentStorage=true",
      CMK_ALLOWED_VAULTS: `kv1=${emulator.vaultUrl("kv1")}`,
      CMK_REVOCATION_SECRET: "s".repeat(32),
      CMK_SWEEP_SCHEDULE: "0 0 * * * *",
    });
    gateway = createKeyVaultGateway(createAzureClients(settings, { credential: sandboxCredential("app") }));
    quickBackoff = createKeyVaultGateway(
      createAzureClients(settings, {
        credential: sandboxCredential("app"),
        retryOptions: { retryDelayInMs: 20 },
      }),
    );
    noRetries = createKeyVaultGateway(
      createAzureClients(settings, { credential: sandboxCredential("app"), retryOptions: { maxRetries: 0 } }),
    );
    const admin = new KeyClient(emulator.vaultUrl("kv1"), sandboxCredential("admin"), {
      disableChallengeResourceVerification: true,
    });
    await admin.createRsaKey("cmk", { keySize: 2048 });
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it("completes creates over the limit after the Retry-After wait, one version each", async () => {
    const started = Date.now();
    const first = await gateway.createVersionOnce(key, "rot-a");
    const second = await gateway.createVersionOnce(key, "rot-b");
    expect(first.wasCreated && second.wasCreated).toBe(true);
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(await gateway.listVersions(key)).toHaveLength(3);
  });

  it("completes through injected 503s with the SDK's retry", async () => {
    emulator.setFaults("kv1", { errorRate: 1, statuses: [503] });
    const lifted = setTimeout(() => emulator.clearFaults("kv1"), 300);
    try {
      expect((await gateway.getKey(key)).keyType).toBe("RSA");
    } finally {
      clearTimeout(lifted);
      emulator.clearFaults("kv1");
    }
  });

  it("backs off a 429 that names no wait, and gets through once Key Vault answers again", async () => {
    emulator.setFaults("kv1", { errorRate: 1, statuses: [429], omitRetryAfter: true });
    // Sends at 0, 20, 60, 140 ms …: the faults are gone before the third retry.
    const lifted = setTimeout(() => emulator.clearFaults("kv1"), 100);
    try {
      expect((await quickBackoff.getKey(key)).keyType).toBe("RSA");
    } finally {
      clearTimeout(lifted);
      emulator.clearFaults("kv1");
    }
  });

  it("gives a bare 429 back as throttling only after the whole back-off, never at once", async () => {
    emulator.setFaults("kv1", { errorRate: 1, statuses: [429], omitRetryAfter: true });
    try {
      const started = Date.now();
      const failure = await quickBackoff.getKey(key).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(isDomainError(failure, "DependencyThrottled")).toBe(true);
      expect(Date.now() - started).toBeGreaterThanOrEqual(20 + 40 + 80 + 160 + 320);
      // Without retries (tests of the app's own retry logic) the 429 comes back at once.
      const quick = Date.now();
      expect(
        isDomainError(await noRetries.getKey(key).catch((error: unknown) => error), "DependencyThrottled"),
      ).toBe(true);
      expect(Date.now() - quick).toBeLessThan(600);
    } finally {
      emulator.clearFaults("kv1");
    }
  });
});
