// End to end through the local host: changing to a key in another (RBAC) vault, preflight first, both strategies.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KeyChangeRecord } from "../../../src/lib/audit";
import { startE2eStack, type E2eStack } from "../../support/e2eStack";
import {
  LINK_MS,
  NEW_VAULT,
  OLD_RBAC_VAULT,
  OLD_VAULT,
  driveKeyChange,
  grantKeyUse,
  postKeyChange,
  seedKeyChangeEstate,
  type KeyChangeEstate,
} from "./seedKeyChangeEstate";

let stack: E2eStack;
const UNWRAP = "Microsoft.KeyVault/vaults/keys/unwrap/action";

beforeAll(async () => {
  stack = await startE2eStack({
    vaultNames: [OLD_VAULT, NEW_VAULT, OLD_RBAC_VAULT],
    rbacVaults: [NEW_VAULT, OLD_RBAC_VAULT],
    linkDurationMs: LINK_MS,
    eventSchema: "none",
  });
});

afterAll(async () => {
  await stack?.stop();
});

const grantNewKey = (principalId: string) => grantKeyUse(stack, NEW_VAULT, principalId);
const historyIds = async (vaultName: string, keyName: string) => {
  const response = await stack.call(`/api/keys/${vaultName}/${keyName}/history?top=50`);
  return ((await response.json()) as { value: Array<{ id: string; kind: string }> }).value.map(
    (entry) => `${entry.kind}:${entry.id}`,
  );
};

async function changeToCompletion(estate: KeyChangeEstate, strategy: "documented" | "direct") {
  const body = { fromKeyId: estate.oldKeyId, toKeyId: estate.newKeyId, strategy };
  // Preflight: the storage account's identity has no role on the RBAC vault; nothing is written.
  const refused = await postKeyChange(stack, body);
  expect(refused.status).toBe(409);
  const refusal = (await refused.json()) as {
    error: { code: string };
    findings: Array<{ code: string; resourceId?: string; message: string }>;
  };
  expect(refusal.error.code).toBe("PreflightFailed");
  const finding = refusal.findings.find((f) => f.code === "MissingKeyAccess");
  expect(finding?.resourceId).toBe(estate.storage.id);
  expect(finding?.message).toContain(
    `az role assignment create --assignee-object-id ${estate.storage.principalId}`,
  );
  expect(stack.arm.storageAccounts().find((a) => a.name === estate.storage.name)?.keyName).toMatch(/-old$/);

  grantNewKey(estate.storage.principalId);
  const dryRun = await postKeyChange(stack, { ...body, dryRun: true });
  expect(dryRun.status).toBe(200);
  const plan = (await dryRun.json()) as { findings: unknown[]; policies: Array<{ environments: unknown[] }> };
  expect(plan.findings).toEqual([]);
  expect(plan.policies[0].environments).toHaveLength(2);

  // The created policy's identity cannot use the new key yet: the change stops before any environment moves.
  const started = await postKeyChange(stack, body);
  expect(started.status).toBe(202);
  const { id } = (await started.json()) as { id: string };
  const partial = await driveKeyChange(stack, id);
  expect(partial.status).toBe("PartiallyApplied");
  expect(partial.detail).toContain("az role assignment create");
  const created = (await stack.arm.enterprisePolicies()).find(
    (p) => p.keyName === estate.newKeyId.split("/").pop() && p.id !== estate.policy.id,
  );
  expect(created?.linkedEnvironmentIds).toEqual([]);
  const environmentsMidway = await stack.arm.environments();
  for (const environmentId of estate.environmentIds)
    expect(environmentsMidway.find((e) => e.id === environmentId)?.policy?.id).toBe(estate.policy.id);

  // Resume: grant the role the record names and post the same change again.
  grantNewKey(created?.principalId ?? "");
  const resumed = await postKeyChange(stack, body);
  expect(resumed.status).toBe(202);
  const resumedId = ((await resumed.json()) as { id: string }).id;
  const record = await driveKeyChange(stack, resumedId);
  return { record, createdPolicyId: created?.id ?? "", firstId: id };
}

async function expectEverythingOnTheNewKey(
  estate: KeyChangeEstate,
  record: KeyChangeRecord,
  createdPolicyId: string,
) {
  expect(record.status).toBe("Completed");
  expect(record.targets.every((t) => t.status === "Verified")).toBe(true);
  const account = stack.arm.storageAccounts().find((a) => a.name === estate.storage.name);
  expect(account?.currentVersionedKeyIdentifier).toBe(`${estate.newKeyId}/${estate.newVersion}`);
  const environments = await stack.arm.environments();
  for (const environmentId of estate.environmentIds) {
    const environment = environments.find((e) => e.id === environmentId);
    expect(environment).toMatchObject({ state: "Enabled", policy: { id: createdPolicyId } });
    expect(environment?.keyId).toContain(estate.newKeyId);
  }
  // The old key stays untouched and usable (database restore needs it) for 30 days at least.
  const oldVersion = await stack.operatorKeys(OLD_VAULT).getKey(estate.oldKeyId.split("/").pop() ?? "", {
    version: estate.oldVersion,
  });
  expect(oldVersion.properties.enabled).toBe(true);
  const retirableAfter = Date.parse(record.oldKeyRetirableAfter ?? "");
  expect(retirableAfter - Date.parse(record.finishedAt ?? "")).toBe(30 * 86_400_000);

  // Disabling the old key no longer touches the moved consumers; disabling the new one does.
  await stack
    .operatorKeys(OLD_VAULT)
    .updateKeyProperties(estate.oldKeyId.split("/").pop() ?? "", estate.oldVersion, {
      enabled: false,
    });
  await stack.clock.advance(1);
  expect((await stack.arm.dataAccess(estate.storage.name)).status).toBe(200);
  for (const environmentId of estate.environmentIds)
    expect((await stack.arm.environmentDataAccess(environmentId)).status).toBe(200);
  await stack
    .operatorKeys(OLD_VAULT)
    .updateKeyProperties(estate.oldKeyId.split("/").pop() ?? "", estate.oldVersion, {
      enabled: true,
    });

  // Bindings moved with the consumers.
  const newKeyName = estate.newKeyId.split("/").pop() ?? "";
  const binding = await stack.call(`/api/bindings/${NEW_VAULT}/${newKeyName}`);
  expect(binding.status).toBe(200);
  const targets = ((await binding.json()) as { targets: Array<{ resourceId: string }> }).targets.map(
    (t) => t.resourceId,
  );
  expect(targets).toEqual(expect.arrayContaining([estate.storage.id, createdPolicyId]));
  expect(await historyIds(NEW_VAULT, newKeyName)).toContain(`keyChange:${record.id}`);
  expect(await historyIds(OLD_VAULT, estate.oldKeyId.split("/").pop() ?? "")).toContain(
    `keyChange:${record.id}`,
  );
}

describe("key change", () => {
  it("documented strategy: preflight refusal, partial stop on the new policy's role, resume, then everything verified", async () => {
    const estate = await seedKeyChangeEstate(stack, "doc");
    const { record, createdPolicyId } = await changeToCompletion(estate, "documented");
    await expectEverythingOnTheNewKey(estate, record, createdPolicyId);
  });

  it("direct strategy moves each environment with a single link", async () => {
    const estate = await seedKeyChangeEstate(stack, "dir");
    const { record, createdPolicyId } = await changeToCompletion(estate, "direct");
    expect(record.strategy).toBe("direct");
    await expectEverythingOnTheNewKey(estate, record, createdPolicyId);
  });

  it("keeps the old key usable for restore: the new policy's identity must reach the old key too, and still can afterwards", async () => {
    const estate = await seedKeyChangeEstate(stack, "keep", OLD_RBAC_VAULT);
    const oldKeyName = estate.oldKeyId.split("/").pop() ?? "";
    const canUnwrap = (vaultName: string, principalId: string, keyName: string) =>
      stack.arm.keyVaultAuthorizer(vaultName)(principalId, UNWRAP, keyName);
    expect((await stack.arm.dataAccess(estate.storage.name)).status).toBe(200);
    grantKeyUse(stack, NEW_VAULT, estate.storage.principalId);
    const body = { fromKeyId: estate.oldKeyId, toKeyId: estate.newKeyId };
    const started = await postKeyChange(stack, body);
    expect(started.status).toBe(202);
    const stopped = await driveKeyChange(stack, ((await started.json()) as { id: string }).id);
    // Both lines: the new key for the environments' data, the old key for database restore.
    expect(stopped.status).toBe("PartiallyApplied");
    const created = (await stack.arm.enterprisePolicies()).find(
      (p) => p.keyName === estate.newKeyId.split("/").pop() && p.id !== estate.policy.id,
    );
    const principalId = created?.principalId ?? "";
    expect(stopped.detail).toContain(`--assignee-object-id ${principalId}`);
    expect(stopped.detail).toContain(OLD_RBAC_VAULT);
    expect(stopped.detail).toContain(NEW_VAULT);
    expect(canUnwrap(OLD_RBAC_VAULT, principalId, oldKeyName)).toBe(false);

    grantKeyUse(stack, NEW_VAULT, principalId);
    grantKeyUse(stack, OLD_RBAC_VAULT, principalId);
    const resumed = await postKeyChange(stack, body);
    expect(resumed.status).toBe(202);
    const record = await driveKeyChange(stack, ((await resumed.json()) as { id: string }).id);
    expect(record.status).toBe("Completed");
    // The change touched neither the old key nor anyone's access to it.
    expect(canUnwrap(OLD_RBAC_VAULT, principalId, oldKeyName)).toBe(true);
    expect(canUnwrap(OLD_RBAC_VAULT, estate.policy.principalId, oldKeyName)).toBe(true);
    expect(canUnwrap(OLD_RBAC_VAULT, estate.storage.principalId, oldKeyName)).toBe(true);
    const versions = [];
    for await (const version of stack.operatorKeys(OLD_RBAC_VAULT).listPropertiesOfKeyVersions(oldKeyName))
      versions.push(version);
    expect(versions.map((version) => version.enabled)).toEqual([true]);
  });

  it("refuses a second change of the same pair while one runs (409 with its id)", async () => {
    const estate = await seedKeyChangeEstate(stack, "dup");
    grantNewKey(estate.storage.principalId);
    // A policy on the new key that may use it already: the change goes on to the environment moves,
    // whose link operations only end when virtual time moves, so it is surely still running below.
    const ready = await stack.arm.seedEnterprisePolicy({
      name: "ep-dup-ready",
      keyVaultName: NEW_VAULT,
      keyName: estate.newKeyId.split("/").pop() ?? "",
    });
    grantNewKey(ready.principalId);
    const body = { fromKeyId: estate.oldKeyId, toKeyId: estate.newKeyId };
    const first = await postKeyChange(stack, body);
    expect(first.status).toBe(202);
    const { id } = (await first.json()) as { id: string };
    const second = await postKeyChange(stack, body);
    expect(second.status).toBe(409);
    expect(await second.json()).toMatchObject({ error: { code: "KeyChangeInProgress" }, id });
    const rotation = await stack.call("/api/rotations", {
      method: "POST",
      body: JSON.stringify({ keyId: estate.oldKeyId, reason: "blocked" }),
    });
    expect(rotation.status).toBe(409);
    // The status page shows it running on both keys, with consumers moved so far.
    const overview = (await (await stack.call("/api/overview")).json()) as {
      keys: Array<{
        keyId: string;
        running: Array<{ kind: string; id: string; progress: { total: number } }>;
      }>;
    };
    for (const keyId of [estate.oldKeyId, estate.newKeyId]) {
      const running = overview.keys.find((key) => key.keyId === keyId)?.running ?? [];
      expect(running).toEqual([expect.objectContaining({ kind: "keyChange", id })]);
      expect(running[0]?.progress.total).toBe(4);
    }
    await driveKeyChange(stack, id);
  });

  it.each([
    ["the same key twice", (e: KeyChangeEstate) => ({ fromKeyId: e.oldKeyId, toKeyId: e.oldKeyId }), 400],
    [
      "a versioned id",
      (e: KeyChangeEstate) => ({ fromKeyId: e.oldKeyId, toKeyId: `${e.newKeyId}/${e.newVersion}` }),
      400,
    ],
    [
      "an unknown vault",
      (e: KeyChangeEstate) => ({ fromKeyId: e.oldKeyId, toKeyId: "https://nowhere.vault.azure.net/keys/k" }),
      400,
    ],
    ["no reason", (e: KeyChangeEstate) => ({ fromKeyId: e.oldKeyId, toKeyId: e.newKeyId, reason: "" }), 400],
  ])("answers %s with a 4xx and the error shape, starting nothing", async (_what, bodyOf, status) => {
    const estate = await seedKeyChangeEstate(stack, `bad${String(status)}${_what.length}`);
    const response = await postKeyChange(stack, bodyOf(estate));
    expect(response.status).toBe(status);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(typeof body.error.code).toBe("string");
    expect(body.error.message.length).toBeGreaterThan(0);
    expect(await historyIds(OLD_VAULT, estate.oldKeyId.split("/").pop() ?? "")).toEqual([]);
  });

  it("refuses a key of a size Power Platform does not accept, and malformed JSON, without starting anything", async () => {
    const estate = await seedKeyChangeEstate(stack, "size");
    grantNewKey(estate.storage.principalId);
    await stack.operatorKeys(NEW_VAULT).createRsaKey("size-4096", { keySize: 4096 });
    const response = await postKeyChange(stack, {
      fromKeyId: estate.oldKeyId,
      toKeyId: `${stack.vaultUrl(NEW_VAULT)}/keys/size-4096`,
    });
    expect(response.status).toBe(409);
    const body = (await response.json()) as { findings: Array<{ code: string }> };
    expect(body.findings.map((f) => f.code)).toContain("KeyNotAccepted");
    const malformed = await stack.call("/api/keyChanges", { method: "POST", body: "{not json" });
    expect(malformed.status).toBe(400);
    expect(await historyIds(OLD_VAULT, "size-old")).toEqual([]);
  });
});
