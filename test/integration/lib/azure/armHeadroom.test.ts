// The app's ARM clients report what ARM said was left of the app's request buckets, from the emulator's real headers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VirtualClock } from "../../../../sandbox/clock";
import { sandboxCredential } from "../../../../sandbox/identity";
import { ARM_LIMITS, startArmEmulator, type ArmEmulator } from "../../../../sandbox/arm";
import { startKeyVaultEmulator, type KeyVaultEmulator } from "../../../../sandbox/keyvault";
import { createAzureClients, type AzureClients } from "../../../../src/lib/azure";
import { loadSettings } from "../../../../src/lib/settings";

const VAULT = "kv-headroom";

describe("ARM headroom captured by the app's clients", () => {
  const clock = new VirtualClock();
  let keyVault: KeyVaultEmulator;
  let arm: ArmEmulator;
  let clients: AzureClients;

  beforeAll(async () => {
    keyVault = await startKeyVaultEmulator({ vaults: [{ name: VAULT }], clock, throttling: false });
    // Azure's limits, as the emulator enforces them by default.
    arm = await startArmEmulator({ clock, keyVaults: { [VAULT]: keyVault.vaultUrl(VAULT) } });
    const settings = loadSettings({
      AzureWebJobsStorage: "UseDevelopmentStorage=true",
      CMK_ALLOWED_VAULTS: `${VAULT}=${keyVault.vaultUrl(VAULT)}`,
      CMK_ARM_ENDPOINT: arm.url,
      CMK_REVOCATION_SECRET: "s".repeat(32),
      CMK_SWEEP_SCHEDULE: "0 0 * * * *",
    });
    clients = createAzureClients(settings, { credential: sandboxCredential("headroom-app") });
  });
  afterAll(async () => {
    await arm.stop();
    await keyVault.stop();
  });

  it("records reads left after a storage read, and writes left after a write, per subscription", async () => {
    const account = await arm.seedStorageAccount({ name: "stheadroom" });
    const storage = clients.storageClient(arm.subscriptionId).storageAccounts;
    await storage.getProperties(account.resourceGroup, account.name);
    await storage.getProperties(account.resourceGroup, account.name);
    await storage.update(account.resourceGroup, account.name, { tags: { rotated: "yes" } });
    // The buckets refill in real time (25 reads/s): a slow machine may win a token back between calls.
    const observed = (kind: string) =>
      clients.armHeadroom
        .observations()
        .find((observation) => observation.kind === kind && observation.subscriptionId === arm.subscriptionId)
        ?.remaining;
    const reads = ARM_LIMITS.subscriptionReads.capacity;
    const writes = ARM_LIMITS.subscriptionWrites.capacity;
    expect(observed("reads")).toBeGreaterThanOrEqual(reads - 2);
    expect(observed("reads")).toBeLessThan(reads);
    expect(observed("writes")).toBe(writes - 1);
  });

  it("records them from the generic *ById calls too", async () => {
    const account = await arm.seedStorageAccount({ name: "stheadroombyid" });
    await clients.resourceClient(arm.subscriptionId).resources.getById(account.id, "2023-05-01");
    const reads = clients.armHeadroom
      .observations()
      .find(
        (observation) => observation.kind === "reads" && observation.subscriptionId === arm.subscriptionId,
      );
    // A read was charged (refill in real time may have given back the earlier ones).
    expect(reads?.remaining).toBeGreaterThanOrEqual(ARM_LIMITS.subscriptionReads.capacity - 3);
    expect(reads?.remaining).toBeLessThan(ARM_LIMITS.subscriptionReads.capacity);
    expect(reads?.ageMs).toBeLessThan(5_000);
  });
});
