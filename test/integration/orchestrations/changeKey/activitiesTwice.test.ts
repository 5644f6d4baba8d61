// Each changeKey activity run twice with the same input against Azurite and the emulators: the second run changes
// nothing more (one PATCH, one policy, one link and one unlink on the wire, no duplicated binding, the same record).
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { ClientRequest } from "node:http";
import { KeyClient } from "@azure/keyvault-keys";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startArmEmulator, type ArmEmulator } from "../../../../sandbox/arm";
import { startAzurite, type RunningAzurite } from "../../../../sandbox/azurite";
import { VirtualClock } from "../../../../sandbox/clock";
import { sandboxCredential } from "../../../../sandbox/identity";
import { startKeyVaultEmulator, type KeyVaultEmulator } from "../../../../sandbox/keyvault";
import type { KeyChangeRecord } from "../../../../src/lib/audit";
import { getServices, type Services } from "../../../../src/lib/services";
import { resetSettings } from "../../../../src/lib/settings";
import { ensureTargetPolicy } from "../../../../src/orchestrations/changeKey/activities/ensureTargetPolicy";
import {
  pollEnvironmentOperation,
  startEnvironmentOperation,
  verifyEnvironment,
} from "../../../../src/orchestrations/changeKey/activities/environmentSteps";
import { moveBinding } from "../../../../src/orchestrations/changeKey/activities/moveBinding";
import { recordKeyChange } from "../../../../src/orchestrations/changeKey/activities/recordKeyChange";
import { switchStorageAccount } from "../../../../src/orchestrations/changeKey/activities/switchStorageAccount";
import type {
  EnsurePolicyInput,
  EnvironmentOperationInput,
  RecordKeyChangeInput,
  StartedOperation,
  SwitchStorageInput,
  TargetPolicy,
} from "../../../../src/orchestrations/changeKey/types";

const OLD_VAULT = "kv-twice-old";
const NEW_VAULT = "kv-twice-new";
const from = { vaultName: OLD_VAULT, keyName: "cmk-old" };
const to = { vaultName: NEW_VAULT, keyName: "cmk-new" };
const CHANGE_ID = "change-twice";
const LINK_MS = 2_000;

/** Every request this process sends, as "METHOD path" (no query), read off Node's own http client. */
const sent: string[] = [];
const onRequest = (message: unknown) => {
  const { request } = message as { request: ClientRequest };
  sent.push(`${request.method} ${request.path.split("?")[0]}`);
};
const sentMatching = (method: string, pathEnd: string) =>
  sent.filter((line) => line.startsWith(`${method} `) && line.endsWith(pathEnd)).length;

describe("changeKey activities run twice against the emulators", () => {
  const clock = new VirtualClock();
  const savedEnv = { ...process.env };
  let azurite: RunningAzurite;
  let keyVault: KeyVaultEmulator;
  let arm: ArmEmulator;
  let services: Services;
  let storage: { id: string; name: string };
  let oldPolicy: TargetPolicy;
  let environmentId: string;
  let newVersion: string;
  let newPolicy: TargetPolicy;

  beforeAll(async () => {
    azurite = await startAzurite({ services: ["table"] });
    keyVault = await startKeyVaultEmulator({
      vaults: [{ name: OLD_VAULT }, { name: NEW_VAULT }],
      clock,
      throttling: false,
    });
    arm = await startArmEmulator({
      clock,
      keyVaults: { [OLD_VAULT]: keyVault.vaultUrl(OLD_VAULT), [NEW_VAULT]: keyVault.vaultUrl(NEW_VAULT) },
      throttling: false,
      linkDurationMs: LINK_MS,
    });
    // The activities build their services from the process's settings, as in the Functions host.
    Object.assign(process.env, arm.managedIdentity.env, {
      AzureWebJobsStorage: azurite.connectionString,
      CMK_ALLOWED_VAULTS: `${OLD_VAULT}=${keyVault.vaultUrl(OLD_VAULT)},${NEW_VAULT}=${keyVault.vaultUrl(NEW_VAULT)}`,
      CMK_ARM_ENDPOINT: arm.url,
      CMK_POWER_PLATFORM_ENDPOINT: arm.url,
      CMK_REVOCATION_SECRET: "s".repeat(32),
      CMK_SWEEP_SCHEDULE: "0 0 0 1 1 *",
    });
    resetSettings();
    services = getServices();

    const operator = sandboxCredential("operator");
    const keys = (vaultName: string) =>
      new KeyClient(keyVault.vaultUrl(vaultName), operator, { disableChallengeResourceVerification: true });
    const old = await keys(OLD_VAULT).createRsaKey(from.keyName, { keySize: 2048 });
    newVersion = (await keys(NEW_VAULT).createRsaKey(to.keyName, { keySize: 2048 })).properties.version!;
    storage = await arm.seedStorageAccount({
      name: "sttwice",
      customerManagedKey: { ...from, keyVersion: old.properties.version! },
    });
    const policy = await arm.seedEnterprisePolicy({
      name: "ep-twice",
      keyVaultName: OLD_VAULT,
      keyName: from.keyName,
    });
    oldPolicy = { resourceId: policy.id, systemId: policy.systemId };
    environmentId = (await arm.seedEnvironment({ displayName: "Twice prod", policyId: policy.id })).id;
    await services.bindings.put({
      key: from,
      targets: [
        { kind: "storageAccount", resourceId: storage.id, mode: "pinned" },
        { kind: "powerPlatformPolicy", resourceId: policy.id, mode: "versionless" },
      ],
      policy: {},
      updatedAtMs: 0,
    });
    subscribe("http.client.request.start", onRequest);
  });

  afterAll(async () => {
    unsubscribe("http.client.request.start", onRequest);
    await arm?.stop();
    await keyVault?.stop();
    await azurite?.stop();
    clock.clearAll();
    process.env = savedEnv;
    resetSettings();
  });

  const record = (status: KeyChangeRecord["status"]): RecordKeyChangeInput => ({
    from,
    to,
    instanceId: "keyChange-instance",
    record: {
      id: CHANGE_ID,
      fromKeyId: `${keyVault.vaultUrl(OLD_VAULT)}/keys/${from.keyName}`,
      toKeyId: `${keyVault.vaultUrl(NEW_VAULT)}/keys/${to.keyName}`,
      strategy: "documented",
      status,
      reason: "twice",
      targets: [{ resourceId: storage.id, kind: "storageAccount", status: "Pending", detail: "" }],
      startedAt: "2026-12-01T09:00:00.000Z",
      finishedAt: status === "Running" ? null : "2026-12-01T10:00:00.000Z",
      oldKeyRetirableAfter: null,
      detail: null,
    },
  });

  it("records: one entry per change in both keys' histories, the same record after the second run", async () => {
    for (const status of ["Running", "Completed"] as const) {
      await recordKeyChange(record(status));
      const once = await services.audit.getKeyChange(CHANGE_ID);
      const marks = await Promise.all([services.keyChangeMarks.get(from), services.keyChangeMarks.get(to)]);
      await recordKeyChange(record(status));
      expect(await services.audit.getKeyChange(CHANGE_ID)).toEqual(once);
      expect(await Promise.all([services.keyChangeMarks.get(from), services.keyChangeMarks.get(to)])).toEqual(
        marks,
      );
      expect(once).toMatchObject({ id: CHANGE_ID, status });
    }
    for (const key of [from, to]) {
      const history = await services.audit.listHistory(key);
      expect(history.filter((entry) => entry.id === CHANGE_ID)).toHaveLength(1);
    }
  });

  it("switches the storage account with one PATCH; the second run reads it moved and writes nothing", async () => {
    const input: SwitchStorageInput = {
      changeId: CHANGE_ID,
      from,
      to,
      target: { kind: "storageAccount", resourceId: storage.id, mode: "pinned" },
      toVaultUrl: keyVault.vaultUrl(NEW_VAULT),
      toVersion: newVersion,
      atMs: clock.now(),
    };
    const first = await switchStorageAccount(input);
    expect(first).toMatchObject({ isDone: true, detail: expect.stringMatching(/^Moved from cmk-old/) });
    const after = arm.storageAccounts().find((account) => account.name === storage.name);
    expect(after?.currentVersionedKeyIdentifier).toMatch(new RegExp(`/keys/cmk-new/${newVersion}$`));
    await clock.advance(60_000);
    const second = await switchStorageAccount(input);
    expect(second).toMatchObject({ isDone: true, detail: expect.stringMatching(/^Already on cmk-new/) });
    expect(arm.storageAccounts().find((account) => account.name === storage.name)).toEqual(after);
    expect(sentMatching("PATCH", `/storageAccounts/${storage.name}`)).toBe(1);
    const rows = (await services.audit.listTargetAttempts(CHANGE_ID)).filter(
      (row) => row.step === "switchKey",
    );
    expect(rows).toHaveLength(1);
  });

  it("creates one policy for the new key; the second run finds it", async () => {
    const input: EnsurePolicyInput = {
      changeId: CHANGE_ID,
      from,
      to,
      oldPolicyId: oldPolicy.resourceId,
      toVaultArmId: keyVault.vaults[NEW_VAULT].armId,
      atMs: clock.now(),
    };
    const first = await ensureTargetPolicy(input);
    const second = await ensureTargetPolicy(input);
    expect(first).toMatchObject({ canUse: true });
    expect(second).toEqual(first);
    if (!("policy" in first)) throw new Error("no policy");
    newPolicy = first.policy;
    const onNewKey = (await arm.enterprisePolicies()).filter((policy) => policy.keyName === to.keyName);
    expect(onNewKey.map((policy) => policy.id)).toEqual([newPolicy.resourceId]);
    expect(
      sent.filter((line) => line.startsWith("PUT ") && line.includes("/enterprisePolicies/")),
    ).toHaveLength(1);
  });

  it("unlinks and links once each: a start run again finds the environment there and starts nothing", async () => {
    const start = (operation: "link" | "unlink", policy: TargetPolicy): Promise<StartedOperation> =>
      startEnvironmentOperation({
        from,
        to,
        environmentId,
        operation,
        policy,
      } satisfies EnvironmentOperationInput);
    for (const [operation, policy] of [
      ["unlink", oldPolicy],
      ["link", newPolicy],
    ] as const) {
      const started = await start(operation, policy);
      if (!("operationUrl" in started))
        throw new Error(`${operation} did not start: ${JSON.stringify(started)}`);
      // Run again while the operation runs: Power Platform answers 409 and nothing more starts.
      expect(await start(operation, policy)).toMatchObject({ busy: true });
      await clock.advance(LINK_MS);
      const polled = await pollEnvironmentOperation({ operationUrl: started.operationUrl });
      expect(polled).toEqual({ state: "Succeeded" });
      expect(await pollEnvironmentOperation({ operationUrl: started.operationUrl })).toEqual(polled);
      // Run again once it is done: recognised, not repeated.
      expect(await start(operation, policy)).toEqual({ alreadyDone: true });
    }
    const operations = sent.filter((line) => /\/enterprisePolicies\/Encryption\/(link|unlink)$/.test(line));
    // Two POSTs each: the one that started it and the one refused with 409 while it ran; none after.
    expect(operations.map((line) => line.split("/").pop())).toEqual(["unlink", "unlink", "link", "link"]);
    const [environment] = (await arm.environments()).filter((candidate) => candidate.id === environmentId);
    expect(environment).toMatchObject({ state: "Enabled", policy: { id: newPolicy.resourceId } });
  });

  it("verifies twice with one attempt row", async () => {
    const input = { changeId: CHANGE_ID, environmentId, policy: newPolicy, attempt: 1, atMs: clock.now() };
    const first = await verifyEnvironment(input);
    expect(first).toMatchObject({ isDone: true });
    expect(await verifyEnvironment(input)).toEqual(first);
    const rows = (await services.audit.listTargetAttempts(CHANGE_ID)).filter(
      (row) => row.step === "verifyLink",
    );
    expect(rows).toHaveLength(1);
  });

  it("moves each binding target once: no duplicate on the new key, gone from the old", async () => {
    const moves = [
      {
        add: { kind: "storageAccount" as const, resourceId: storage.id, mode: "pinned" as const },
        remove: storage.id,
      },
      {
        add: {
          kind: "powerPlatformPolicy" as const,
          resourceId: newPolicy.resourceId,
          mode: "versionless" as const,
        },
      },
      {
        add: {
          kind: "powerPlatformPolicy" as const,
          resourceId: newPolicy.resourceId,
          mode: "versionless" as const,
        },
        remove: oldPolicy.resourceId,
      },
    ];
    for (const move of moves) {
      await moveBinding({ from, to, ...move });
      const once = [await services.bindings.get(from), await services.bindings.get(to)];
      await moveBinding({ from, to, ...move });
      expect([await services.bindings.get(from), await services.bindings.get(to)]).toEqual(once);
    }
    expect((await services.bindings.get(to))?.targets.map((target) => target.resourceId)).toEqual([
      storage.id,
      newPolicy.resourceId,
    ]);
    expect((await services.bindings.get(from))?.targets).toEqual([]);
  });

  it("answers a revocation fence as a typed refusal from every guarded activity, writing nothing", async () => {
    await services.fences.raise(to, "rev-twice", clock.now());
    const before = sent.length;
    try {
      const refusal = { refusal: { code: "KeyRevoked", reason: expect.stringContaining("rev-twice") } };
      expect(
        await switchStorageAccount({
          changeId: CHANGE_ID,
          from,
          to,
          target: { kind: "storageAccount", resourceId: storage.id, mode: "pinned" },
          toVaultUrl: keyVault.vaultUrl(NEW_VAULT),
          toVersion: newVersion,
          atMs: clock.now(),
        }),
      ).toEqual(refusal);
      expect(
        await ensureTargetPolicy({
          changeId: CHANGE_ID,
          from,
          to,
          oldPolicyId: oldPolicy.resourceId,
          toVaultArmId: keyVault.vaults[NEW_VAULT].armId,
          atMs: clock.now(),
        }),
      ).toEqual(refusal);
      expect(
        await startEnvironmentOperation({ from, to, environmentId, operation: "unlink", policy: newPolicy }),
      ).toEqual(refusal);
      // Only the fence was read (Table Storage); ARM and the admin API saw nothing.
      expect(sent.slice(before).filter((line) => line.includes("/providers/"))).toEqual([]);
    } finally {
      await services.fences.lower(to, "rev-twice");
    }
  });
});
