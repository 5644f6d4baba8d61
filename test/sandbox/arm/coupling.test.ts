// Consumers depend on the key for real: Key Vault emulator changes show up in probes, policy health and environments.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR, VAULT, rawCall, startArmTestBed, type ArmTestBed } from "./armTestBed";

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

describe("ARM emulator coupled to the Key Vault emulator", () => {
  let bed: ArmTestBed;

  beforeAll(async () => {
    bed = await startArmTestBed();
  });
  afterAll(async () => bed.stop());

  it("disabling the pinned version cuts off the account, the policy and its environment; restoring needs a re-enable", async () => {
    const key = await bed.keys.createRsaKey("cmk-coupled", { keySize: 2048 });
    const version = key.properties.version!;
    await bed.arm.seedStorageAccount({
      name: "stcoupled1",
      customerManagedKey: { vaultName: VAULT, keyName: "cmk-coupled", keyVersion: version },
    });
    const policy = await bed.arm.seedEnterprisePolicy({
      name: "ep-coupled",
      keyVaultName: VAULT,
      keyName: "cmk-coupled",
      keyVersion: version,
    });
    const environment = await bed.arm.seedEnvironment({ displayName: "coupled", policyId: policy.id });
    expect((await bed.arm.dataAccess("stcoupled1")).status).toBe(200);
    expect((await bed.arm.environments()).find((e) => e.id === environment.id)).toMatchObject({
      state: "Enabled",
      policy: { healthStatus: "Healthy" },
    });

    await bed.keys.updateKeyProperties("cmk-coupled", version, { enabled: false });
    const probe = await rawCall(`${bed.arm.url}/_emulator/storageAccounts/stcoupled1/dataAccess`);
    expect(probe.status).toBe(403);
    const policyWire = await bed.resources.resources.getById(policy.id, "2020-10-30");
    expect((policyWire.properties as { healthStatus: string }).healthStatus).toBe("Unhealthy");
    const bapEnvironment = await rawCall(
      `${bed.arm.url}/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments/${environment.id}?api-version=2020-10-01`,
      { principalId: OPERATOR },
    );
    expect(bapEnvironment.json).toMatchObject({ properties: { states: { runtime: { id: "Locked" } } } });
    await expect(bed.arm.enableEnvironment(environment.id)).rejects.toMatchObject({ status: 409 });

    await bed.keys.updateKeyProperties("cmk-coupled", version, { enabled: true });
    expect((await bed.arm.dataAccess("stcoupled1")).status).toBe(200);
    const stillLocked = (await bed.arm.environments()).find((e) => e.id === environment.id);
    expect(stillLocked).toMatchObject({ state: "Locked", policy: { healthStatus: "Healthy" } });
    const enable = await rawCall(
      `${bed.arm.url}/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments/${environment.id}/enable?api-version=2021-04-01`,
      { method: "POST", principalId: OPERATOR },
    );
    expect(enable.status).toBe(200);
    expect((await bed.arm.environments()).find((e) => e.id === environment.id)?.state).toBe("Enabled");
  });

  it("taking access away from one consumer's identity affects only that consumer", async () => {
    await bed.keys.createRsaKey("cmk-shared", { keySize: 2048 });
    const first = await bed.arm.seedStorageAccount({
      name: "stdenied1",
      customerManagedKey: { vaultName: VAULT, keyName: "cmk-shared" },
    });
    await bed.arm.seedStorageAccount({
      name: "stallowed1",
      customerManagedKey: { vaultName: VAULT, keyName: "cmk-shared" },
    });
    bed.keyVault.denyPrincipal(VAULT, first.principalId);
    try {
      expect(await bed.arm.dataAccess("stdenied1")).toMatchObject({ status: 403 });
      expect(await bed.arm.dataAccess("stallowed1")).toMatchObject({ status: 200 });
    } finally {
      bed.keyVault.allowPrincipal(VAULT, first.principalId);
    }
    expect(await bed.arm.dataAccess("stdenied1")).toMatchObject({ status: 200 });
  });

  it("moves an automatic-mode account and a versionless policy to a new version after a virtual day, not before", async () => {
    const first = await bed.keys.createRsaKey("cmk-auto", { keySize: 2048 });
    await bed.arm.seedStorageAccount({
      name: "stauto1",
      customerManagedKey: { vaultName: VAULT, keyName: "cmk-auto" },
    });
    await bed.arm.seedEnterprisePolicy({ name: "ep-auto", keyVaultName: VAULT, keyName: "cmk-auto" });
    const inUse = async () => {
      const account = await bed.storage.storageAccounts.getProperties("rg-cmk", "stauto1");
      const policy = (await bed.arm.enterprisePolicies()).find((p) => p.name === "ep-auto");
      return {
        account: account.encryption?.keyVaultProperties?.currentVersionedKeyIdentifier?.split("/").pop(),
        rotatedAt: account.encryption?.keyVaultProperties?.lastKeyRotationTimestamp?.getTime(),
        policy: policy?.keyVersionInUse,
      };
    };
    const before = await inUse();
    expect(before).toMatchObject({ account: first.properties.version, policy: first.properties.version });

    const second = await bed.keys.rotateKey("cmk-auto");
    await bed.clock.advance(23 * HOUR_MS);
    expect(await inUse()).toMatchObject({
      account: first.properties.version,
      policy: first.properties.version,
    });
    await bed.clock.advance(HOUR_MS);
    const after = await inUse();
    expect(after).toMatchObject({ account: second.properties.version, policy: second.properties.version });
    expect(after.rotatedAt! - before.rotatedAt!).toBeGreaterThanOrEqual(DAY_MS - 1000);
  });

  it("locks an environment as soon as the clock passes its key version's expiry", async () => {
    const expiresOn = new Date(bed.clock.now() + 2 * DAY_MS);
    const key = await bed.keys.createRsaKey("cmk-expiring", { keySize: 2048, expiresOn });
    const policy = await bed.arm.seedEnterprisePolicy({
      name: "ep-expiring",
      keyVaultName: VAULT,
      keyName: "cmk-expiring",
      keyVersion: key.properties.version,
    });
    const environment = await bed.arm.seedEnvironment({ policyId: policy.id });
    expect((await bed.arm.environments()).find((e) => e.id === environment.id)?.state).toBe("Enabled");
    await bed.clock.advance(3 * DAY_MS);
    const advancedAt = bed.clock.now();
    const locked = (await bed.arm.environments()).find((e) => e.id === environment.id);
    expect(locked?.state).toBe("Locked");
    // Locked by the advance itself (the emulator's clock listener), not later by this read.
    expect(Date.parse(locked!.lockedAt!)).toBeLessThanOrEqual(advancedAt);
  });
  it("does not lock anything while Key Vault only fails transiently (503), and keeps the last verdict", async () => {
    await bed.keys.createRsaKey("cmk-flaky", { keySize: 2048 });
    await bed.arm.seedStorageAccount({
      name: "stflaky1",
      customerManagedKey: { vaultName: VAULT, keyName: "cmk-flaky" },
    });
    const policy = await bed.arm.seedEnterprisePolicy({
      name: "ep-flaky",
      keyVaultName: VAULT,
      keyName: "cmk-flaky",
    });
    const environment = await bed.arm.seedEnvironment({ policyId: policy.id });
    bed.keyVault.setFaults(VAULT, { errorRate: 1, statuses: [503] });
    try {
      expect((await bed.arm.dataAccess("stflaky1")).status).toBe(200);
      const summary = (await bed.arm.environments()).find((e) => e.id === environment.id);
      expect(summary).toMatchObject({ state: "Enabled", policy: { healthStatus: "Healthy" } });
    } finally {
      bed.keyVault.clearFaults(VAULT);
    }
  });
});
