// Key Vault throttling and outages: the SDK's own retry honours Retry-After and the gateway adds none of its own.
import { KeyClient } from "@azure/keyvault-keys";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sandboxCredential } from "../../../../sandbox/identity";
import { startKeyVaultEmulator, type KeyVaultEmulator } from "../../../../sandbox/keyvault";
import { createAzureClients } from "../../../../src/lib/azure";
import { createKeyVaultGateway, type KeyVaultGateway } from "../../../../src/lib/keys";
import { loadSettings } from "../../../../src/lib/settings";

const key = { vaultName: "kv1", keyName: "cmk" };

describe("Key Vault gateway under throttling", () => {
  let emulator: KeyVaultEmulator;
  let gateway: KeyVaultGateway;

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
});
