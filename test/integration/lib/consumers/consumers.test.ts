// Consumers against the ARM and Key Vault emulators, authenticated by DefaultAzureCredential through the emulator's managed identity.
import { KeyClient } from "@azure/keyvault-keys";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAzurite, type RunningAzurite } from "../../../../sandbox/azurite";
import { VirtualClock } from "../../../../sandbox/clock";
import { sandboxCredential } from "../../../../sandbox/identity";
import { startArmEmulator, type ArmEmulator } from "../../../../sandbox/arm";
import { startKeyVaultEmulator, type KeyVaultEmulator } from "../../../../sandbox/keyvault";
import type { BindingTarget } from "../../../../src/lib/bindings";
import { ThrottledError } from "../../../../src/lib/errors";
import { createServices, type Services } from "../../../../src/lib/services";
import { loadSettings } from "../../../../src/lib/settings";
import { codeOf } from "../../../support/codeOf";

const VAULT = "kv-lib";
const DAY_MS = 86_400_000;
const key = { vaultName: VAULT, keyName: "cmk" };

describe("consumers against the emulators", () => {
  const clock = new VirtualClock();
  const savedEnv = { ...process.env };
  let azurite: RunningAzurite;
  let keyVault: KeyVaultEmulator;
  let arm: ArmEmulator;
  let services: Services;
  let impatient: Services;
  let v1: string;
  let v2: string;
  const targets: Record<string, BindingTarget> = {};

  beforeAll(async () => {
    azurite = await startAzurite({ services: ["table"] });
    keyVault = await startKeyVaultEmulator({
      vaults: [{ name: VAULT }],
      clock,
      throttling: false,
      keyPool: { 2048: 4 },
    });
    arm = await startArmEmulator({
      clock,
      keyVaults: { [VAULT]: keyVault.vaultUrl(VAULT) },
      throttling: false,
    });
    Object.assign(process.env, arm.managedIdentity.env);
    const settings = loadSettings({
      AzureWebJobsStorage: azurite.connectionString,
      CMK_ALLOWED_VAULTS: `${VAULT}=${keyVault.vaultUrl(VAULT)}`,
      CMK_ARM_ENDPOINT: arm.url,
      CMK_POWER_PLATFORM_ENDPOINT: arm.url,
      CMK_REVOCATION_SECRET: "s".repeat(32),
      CMK_SWEEP_SCHEDULE: "0 0 * * * *",
    });
    // The production credential: DefaultAzureCredential finds the emulator's IDENTITY_ENDPOINT.
    services = createServices(settings, { pollIntervalMs: 10 });
    impatient = createServices(settings, { pollIntervalMs: 10, retryOptions: { maxRetries: 0 } });

    const admin = new KeyClient(keyVault.vaultUrl(VAULT), sandboxCredential("operator"), {
      disableChallengeResourceVerification: true,
    });
    v1 = (await admin.createRsaKey("cmk", { keySize: 2048 })).properties.version!;
    await admin.createRsaKey("other", { keySize: 2048 });
    const cmk = { vaultName: VAULT, keyName: "cmk" };
    const pinnedAccount = await arm.seedStorageAccount({
      name: "stpinned",
      customerManagedKey: { ...cmk, keyVersion: v1 },
    });
    const autoAccount = await arm.seedStorageAccount({
      name: "stauto",
      customerManagedKey: { ...cmk, keyVersion: "" },
    });
    const otherAccount = await arm.seedStorageAccount({
      name: "stother",
      customerManagedKey: { vaultName: VAULT, keyName: "other" },
    });
    const unlinked = await arm.seedEnterprisePolicy({
      name: "ep-unlinked",
      keyVaultName: VAULT,
      keyName: "cmk",
      keyVersion: v1,
    });
    const linked = await arm.seedEnterprisePolicy({
      name: "ep-linked",
      keyVaultName: VAULT,
      keyName: "cmk",
      keyVersion: v1,
    });
    const versionless = await arm.seedEnterprisePolicy({
      name: "ep-auto",
      keyVaultName: VAULT,
      keyName: "cmk",
    });
    await arm.seedEnvironment({ displayName: "Contoso CI", policyId: linked.id });
    await arm.seedEnvironment({ displayName: "Contoso Auto", policyId: versionless.id });
    targets.storagePinned = { kind: "storageAccount", resourceId: pinnedAccount.id, mode: "pinned" };
    targets.storageAuto = { kind: "storageAccount", resourceId: autoAccount.id, mode: "versionless" };
    targets.storageOther = { kind: "storageAccount", resourceId: otherAccount.id, mode: "pinned" };
    targets.policyUnlinked = { kind: "powerPlatformPolicy", resourceId: unlinked.id, mode: "pinned" };
    targets.policyLinked = { kind: "powerPlatformPolicy", resourceId: linked.id, mode: "pinned" };
    targets.policyAuto = { kind: "powerPlatformPolicy", resourceId: versionless.id, mode: "versionless" };
    v2 = (await services.keyVault.createVersionOnce(key, "rotation-1")).version.version;
  });

  afterAll(async () => {
    await arm?.stop();
    await keyVault?.stop();
    await azurite?.stop();
    clock.clearAll();
    process.env = savedEnv;
  });

  /** A storage account `st{suffix}` and an unlinked policy `ep-{suffix}`, both pinned to v1, with their targets. */
  async function seedPinnedPair(suffix: string) {
    const account = await arm.seedStorageAccount({
      name: `st${suffix}`,
      customerManagedKey: { vaultName: VAULT, keyName: "cmk", keyVersion: v1 },
    });
    const policy = await arm.seedEnterprisePolicy({
      name: `ep-${suffix}`,
      keyVaultName: VAULT,
      keyName: "cmk",
      keyVersion: v1,
    });
    const storageTarget: BindingTarget = { kind: "storageAccount", resourceId: account.id, mode: "pinned" };
    const policyTarget: BindingTarget = {
      kind: "powerPlatformPolicy",
      resourceId: policy.id,
      mode: "pinned",
    };
    return { account, storageTarget, policyTarget };
  }

  it("reads what each consumer references", async () => {
    const storage = services.consumers.get("storageAccount");
    const policies = services.consumers.get("powerPlatformPolicy");
    expect(await storage.readCurrentReference(targets.storagePinned)).toMatchObject({
      keyName: "cmk",
      configuredVersion: v1,
      versionInUse: v1,
    });
    expect(await storage.readCurrentReference(targets.storageAuto)).not.toHaveProperty("configuredVersion");
    expect(await policies.readCurrentReference(targets.policyLinked)).toMatchObject({
      vaultName: VAULT,
      keyName: "cmk",
      configuredVersion: v1,
      isLinked: true,
    });
    expect(await policies.readCurrentReference(targets.policyUnlinked)).toMatchObject({ isLinked: false });
  });

  it("pins a storage account to the new version exactly once and verifies it at once", async () => {
    const storage = services.consumers.get("storageAccount");
    expect(await storage.verify(targets.storagePinned, key, v2)).toMatchObject({ state: "Failed" });
    expect(await storage.applyVersion(targets.storagePinned, key, v2)).toMatchObject({ outcome: "Applied" });
    expect(await storage.applyVersion(targets.storagePinned, key, v2)).toMatchObject({
      outcome: "AlreadyApplied",
    });
    expect(await storage.verify(targets.storagePinned, key, v2)).toEqual({
      state: "Verified",
      versionInUse: v2,
      detail: `Uses version ${v2}.`,
    });
  });

  it("does not write a versionless storage account and verifies it once Storage picks the version up", async () => {
    const storage = services.consumers.get("storageAccount");
    expect(await storage.applyVersion(targets.storageAuto, key, v2)).toMatchObject({
      outcome: "NoWriteNeeded",
    });
    const before = await storage.verify(targets.storageAuto, key, v2);
    expect(before.state).toBe("Pending");
    await clock.advance(DAY_MS + 60_000);
    expect(await storage.verify(targets.storageAuto, key, v2)).toMatchObject({
      state: "Verified",
      versionInUse: v2,
    });
  });

  it("reads each target right before writing it, keeps its identity, and reports the version in use", async () => {
    const { account, storageTarget, policyTarget } = await seedPinnedPair("fast");
    const storage = services.consumers.get("storageAccount");
    const policies = services.consumers.get("powerPlatformPolicy");
    expect(await storage.applyVersion(storageTarget, key, v2)).toMatchObject({
      outcome: "Applied",
      versionInUse: v2,
    });
    expect(arm.storageAccounts().find((a) => a.name === "stfast")).toMatchObject({
      keyVersion: v2,
      keyName: "cmk",
    });
    // The PATCH carried the identity the account had when it was read, moments before.
    const written = await services.clients
      .storageClient(arm.subscriptionId)
      .storageAccounts.getProperties(account.resourceGroup, account.name);
    expect(JSON.stringify(written.encryption?.encryptionIdentity)).toContain(account.userAssignedIdentityId);
    expect(await storage.verify(storageTarget, key, v2)).toMatchObject({ state: "Verified" });
    expect(await policies.applyVersion(policyTarget, key, v2)).toMatchObject({ outcome: "Applied" });
    expect(await policies.verify(policyTarget, key, v2)).toMatchObject({ state: "Verified" });
  });

  it("reports ActionRequired, and writes nothing, when a policy got linked after the rotation started", async () => {
    const policy = await arm.seedEnterprisePolicy({
      name: "ep-race",
      keyVaultName: VAULT,
      keyName: "cmk",
      keyVersion: v1,
    });
    const target: BindingTarget = { kind: "powerPlatformPolicy", resourceId: policy.id, mode: "pinned" };
    const policies = services.consumers.get("powerPlatformPolicy");
    expect((await policies.readCurrentReference(target)).isLinked).toBe(false);
    await arm.seedEnvironment({ displayName: "Linked late", policyId: policy.id });
    const result = await policies.applyVersion(target, key, v2);
    expect(result.outcome).toBe("ActionRequired");
    expect(result.detail).toMatch(/Linked late.*unlink/);
    expect(await policies.readCurrentReference(target)).toMatchObject({
      configuredVersion: v1,
      isLinked: true,
    });
  });

  it("says Pending, not Failed, while an accepted write is still Updating", async () => {
    const { storageTarget, policyTarget } = await seedPinnedPair("slow");
    arm.setFaults({ updatingMs: 60_000 });
    try {
      expect(
        await services.consumers.get("storageAccount").applyVersion(storageTarget, key, v2),
      ).toMatchObject({ outcome: "Applied" });
      expect(
        await services.consumers.get("powerPlatformPolicy").applyVersion(policyTarget, key, v2),
      ).toMatchObject({ outcome: "Applied" });
    } finally {
      arm.clearFaults();
    }
    expect(await services.consumers.get("storageAccount").verify(storageTarget, key, v2)).toMatchObject({
      state: "Pending",
    });
    expect(await services.consumers.get("powerPlatformPolicy").verify(policyTarget, key, v2)).toMatchObject({
      state: "Pending",
    });
    await clock.advance(61_000);
    expect(await services.consumers.get("storageAccount").verify(storageTarget, key, v2)).toMatchObject({
      state: "Verified",
    });
    expect(await services.consumers.get("powerPlatformPolicy").verify(policyTarget, key, v2)).toMatchObject({
      state: "Verified",
    });
  });

  it("refuses to touch an account that uses another key", async () => {
    expect(
      await codeOf(services.consumers.get("storageAccount").applyVersion(targets.storageOther, key, v2)),
    ).toBe("TargetMismatch");
  });

  it("updates an unlinked pinned policy, leaves a linked one alone with the manual step, and never writes a versionless one", async () => {
    const policies = services.consumers.powerPlatformPolicy();
    expect(await policies.applyVersion(targets.policyUnlinked, key, v2)).toMatchObject({
      outcome: "Applied",
    });
    expect(await policies.readCurrentReference(targets.policyUnlinked)).toMatchObject({
      configuredVersion: v2,
    });
    expect(await policies.verify(targets.policyUnlinked, key, v2)).toMatchObject({ state: "Verified" });

    const linked = await policies.applyVersion(targets.policyLinked, key, v2);
    expect(linked.outcome).toBe("ActionRequired");
    expect(linked.detail).toMatch(/linked to 1 environment\(s\) \(Contoso CI\).*unlink.*set key version/);
    expect(await policies.readCurrentReference(targets.policyLinked)).toMatchObject({
      configuredVersion: v1,
    });
    expect(await policies.verify(targets.policyLinked, key, v2)).toMatchObject({ state: "Failed" });

    expect(await policies.applyVersion(targets.policyAuto, key, v2)).toMatchObject({
      outcome: "NoWriteNeeded",
    });
    expect(await policies.verify(targets.policyAuto, key, v2)).toMatchObject({ state: "Verified" });
    expect((await policies.listLinkedEnvironments(targets.policyAuto)).map((e) => e.displayName)).toEqual([
      "Contoso Auto",
    ]);
  });

  it("sees a revoked key as Denied and restores access and the environment", async () => {
    const policies = services.consumers.powerPlatformPolicy();
    expect(await policies.checkAccess(targets.policyAuto)).toMatchObject({ state: "Accessible" });
    for (const version of [v1, v2]) await services.keyVault.setVersionEnabled(key, version, false);
    expect(await policies.checkAccess(targets.policyAuto)).toMatchObject({ state: "Denied" });
    const [locked] = await policies.listLinkedEnvironments(targets.policyAuto);
    expect(locked.state).toBe("Locked");
    for (const version of [v1, v2]) await services.keyVault.setVersionEnabled(key, version, true);
    expect(await policies.checkAccess(targets.policyAuto)).toMatchObject({ state: "Accessible" });
    await policies.enableEnvironment(locked.id);
    expect((await policies.listLinkedEnvironments(targets.policyAuto))[0].state).toBe("Enabled");
  });

  it("surfaces ARM throttling as ThrottledError with Retry-After once retries are spent, and completes when the SDK may retry", async () => {
    arm.setFaults({ errorRate: 1, statuses: [429] });
    try {
      const error = await impatient.consumers
        .get("storageAccount")
        .readCurrentReference(targets.storagePinned)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ThrottledError);
      expect((error as ThrottledError).retryAfterMs).toBe(1000);
    } finally {
      arm.clearFaults();
    }
    // Throttled now, fine again while the SDK waits the 1 s Retry-After: its own retry completes the call.
    arm.setFaults({ errorRate: 1, statuses: [429] });
    const lifted = setTimeout(() => arm.clearFaults(), 300);
    try {
      const started = Date.now();
      const reference = await services.consumers
        .get("storageAccount")
        .readCurrentReference(targets.storagePinned);
      expect(reference).toMatchObject({ configuredVersion: v2 });
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    } finally {
      clearTimeout(lifted);
      arm.clearFaults();
    }
  });
});
