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
    const reads = ARM_LIMITS.subscriptionReads.capacity;
    const writes = ARM_LIMITS.subscriptionWrites.capacity;
    expect(clients.armHeadroom.observations()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ subscriptionId: arm.subscriptionId, kind: "reads", remaining: reads - 2 }),
        expect.objectContaining({
          subscriptionId: arm.subscriptionId,
          kind: "writes",
          remaining: writes - 1,
        }),
      ]),
    );
  });

  it("records them from the generic *ById calls too", async () => {
    const account = await arm.seedStorageAccount({ name: "stheadroombyid" });
    await clients.resourceClient(arm.subscriptionId).resources.getById(account.id, "2023-05-01");
    const reads = clients.armHeadroom
      .observations()
      .find(
        (observation) => observation.kind === "reads" && observation.subscriptionId === arm.subscriptionId,
      );
    expect(reads?.remaining).toBe(ARM_LIMITS.subscriptionReads.capacity - 3);
    expect(reads?.ageMs).toBeLessThan(5_000);
  });
});
