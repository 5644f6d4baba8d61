// Environments through link and unlink: Disabled while an operation runs, then Enabled on the new key, with the data
// key really wrapped by that key (disabling the old key no longer locks it, disabling the new one does).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR, rawCall, startArmTestBed, type ArmTestBed } from "./armTestBed";

const LINK_MS = 4_000;

describe("ARM emulator: environment moves between encryption policies", () => {
  let bed: ArmTestBed;
  let bap: string;

  beforeAll(async () => {
    bed = await startArmTestBed({ linkDurationMs: LINK_MS });
    bap = `${bed.arm.url}/providers/Microsoft.BusinessAppPlatform`;
  });
  afterAll(async () => bed.stop());

  const start = (environmentId: string, action: "link" | "unlink", systemId: string) =>
    rawCall(
      `${bap}/environments/${environmentId}/enterprisePolicies/Encryption/${action}?api-version=2019-10-01`,
      {
        method: "POST",
        principalId: OPERATOR,
        body: { SystemId: systemId },
      },
    );
  const probe = async (environmentId: string) =>
    (await rawCall(`${bed.arm.url}/_emulator/environments/${environmentId}/dataAccess`)).status;
  const runtimeState = async (environmentId: string) => {
    const { json } = await rawCall(
      `${bap}/scopes/admin/environments/${environmentId}?api-version=2021-04-01`,
      {
        principalId: OPERATOR,
      },
    );
    return (json as { properties: { states: { runtime: { id: string } } } }).properties.states.runtime.id;
  };
  const operationState = async (url: string) => {
    const { json, headers } = await rawCall(url, { principalId: OPERATOR });
    return { state: (json as { state: { id: string } }).state.id, retryAfter: headers["retry-after"] };
  };

  async function twoPolicies(prefix: string) {
    const oldKey = await bed.keys.createRsaKey(`${prefix}-old`, { keySize: 2048 });
    const newKey = await bed.keys.createRsaKey(`${prefix}-new`, { keySize: 2048 });
    const oldPolicy = await bed.arm.seedEnterprisePolicy({
      name: `${prefix}-old`,
      keyVaultId: bed.vaultArmId,
      keyName: `${prefix}-old`,
    });
    const newPolicy = await bed.arm.seedEnterprisePolicy({
      name: `${prefix}-new`,
      keyVaultId: bed.vaultArmId,
      keyName: `${prefix}-new`,
    });
    const environment = await bed.arm.seedEnvironment({ displayName: prefix, policyId: oldPolicy.id });
    return { oldKey, newKey, oldPolicy, newPolicy, environment };
  }

  it("documented move: unlink then link, data unavailable during each, afterwards only the new key matters", async () => {
    const { oldKey, newKey, oldPolicy, newPolicy, environment } = await twoPolicies("doc");
    expect(await probe(environment.id)).toBe(200);

    const unlink = await start(environment.id, "unlink", oldPolicy.systemId);
    expect(unlink.status).toBe(202);
    expect(unlink.headers["retry-after"]).toBe(String(LINK_MS / 1000));
    const unlinkUrl = unlink.headers["operation-location"] as string;
    expect(await runtimeState(environment.id)).toBe("Disabled");
    expect(await probe(environment.id)).toBe(503);
    expect((await start(environment.id, "link", newPolicy.systemId)).status).toBe(409);
    expect(await operationState(unlinkUrl)).toEqual({ state: "Running", retryAfter: String(LINK_MS / 1000) });
    await bed.clock.advance(LINK_MS);
    expect((await operationState(unlinkUrl)).state).toBe("Succeeded");
    expect(await runtimeState(environment.id)).toBe("Enabled");
    const unlinked = (await bed.arm.environments()).find((e) => e.id === environment.id);
    expect(unlinked?.policy).toBeUndefined();
    expect(unlinked?.keyId).toBeUndefined();

    const link = await start(environment.id, "link", newPolicy.systemId);
    expect(await probe(environment.id)).toBe(503);
    await bed.clock.advance(LINK_MS);
    expect((await operationState(link.headers["operation-location"] as string)).state).toBe("Succeeded");
    const linked = (await bed.arm.environments()).find((e) => e.id === environment.id);
    expect(linked).toMatchObject({ state: "Enabled", policy: { id: newPolicy.id } });
    expect(linked?.keyId).toBe(newKey.id);

    await bed.keys.updateKeyProperties(`doc-old`, oldKey.properties.version ?? "", { enabled: false });
    await bed.clock.advance(1);
    expect(await probe(environment.id)).toBe(200);
    await bed.keys.updateKeyProperties(`doc-new`, newKey.properties.version ?? "", { enabled: false });
    await bed.clock.advance(1);
    expect(await probe(environment.id)).toBe(403);
    expect(await runtimeState(environment.id)).toBe("Locked");
  });

  it("direct move re-wraps the data key from the old key to the new one; a failed link leaves it on the old key", async () => {
    const { newKey, oldPolicy, newPolicy, environment } = await twoPolicies("direct");
    // The new policy's identity loses access: the link fails and the environment stays where it was.
    bed.keyVault.denyPrincipal(Object.keys(bed.keyVault.vaults)[0], newPolicy.principalId);
    const failing = await start(environment.id, "link", newPolicy.systemId);
    await bed.clock.advance(LINK_MS);
    const failed = await rawCall(failing.headers["operation-location"] as string, { principalId: OPERATOR });
    expect(failed.json).toMatchObject({
      state: { id: "Failed" },
      error: { code: "EnterprisePolicyKeyInaccessible" },
    });
    expect((await bed.arm.environments()).find((e) => e.id === environment.id)).toMatchObject({
      state: "Enabled",
      policy: { id: oldPolicy.id },
    });
    bed.keyVault.allowPrincipal(Object.keys(bed.keyVault.vaults)[0], newPolicy.principalId);

    const link = await start(environment.id, "link", newPolicy.systemId);
    await bed.clock.advance(LINK_MS);
    expect((await operationState(link.headers["operation-location"] as string)).state).toBe("Succeeded");
    const moved = (await bed.arm.environments()).find((e) => e.id === environment.id);
    expect(moved).toMatchObject({ state: "Enabled", policy: { id: newPolicy.id }, keyId: newKey.id });
  });

  it("the operation duration is settable through the control API", async () => {
    const set = await rawCall(`${bed.arm.url}/_emulator/powerPlatform/operations`, {
      method: "PUT",
      body: { durationMs: 1500 },
    });
    expect(set.status).toBe(200);
    const bad = await rawCall(`${bed.arm.url}/_emulator/powerPlatform/operations`, {
      method: "PUT",
      body: { durationMs: -1 },
    });
    expect(bad.status).toBe(400);
    bed.arm.setLinkDuration(LINK_MS);
  });

  it("asks to be polled at a fixed Retry-After when one is set, as a service that cannot foresee its end", async () => {
    const set = await rawCall(`${bed.arm.url}/_emulator/powerPlatform/operations`, {
      method: "PUT",
      body: { durationMs: LINK_MS, retryAfterSeconds: 1 },
    });
    expect(set.status).toBe(200);
    const fractional = await rawCall(`${bed.arm.url}/_emulator/powerPlatform/operations`, {
      method: "PUT",
      body: { durationMs: LINK_MS, retryAfterSeconds: 0.5 },
    });
    expect(fractional.status).toBe(400);
    try {
      const { oldPolicy, environment } = await twoPolicies("fixed");
      const unlink = await start(environment.id, "unlink", oldPolicy.systemId);
      expect(unlink.headers["retry-after"]).toBe("1");
      const url = unlink.headers["operation-location"] as string;
      await bed.clock.advance(1_000);
      expect(await operationState(url)).toEqual({ state: "Running", retryAfter: "1" });
      await bed.clock.advance(LINK_MS);
      expect((await operationState(url)).state).toBe("Succeeded");
    } finally {
      bed.arm.setLinkDuration(LINK_MS);
    }
  });
});

describe("ARM emulator: the admin API's own throttling and faults", () => {
  it("throttles admin API calls per user apart from ARM's buckets, and injects faults there too", async () => {
    const bed = await startArmTestBed({
      armThrottling: { adminApiRequests: { capacity: 3, refillPerSecond: 0.5 } },
    });
    try {
      const environment = await bed.arm.seedEnvironment({ displayName: "throttled" });
      const url = `${bed.arm.url}/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments/${environment.id}?api-version=2021-04-01`;
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await rawCall(url, { principalId: OPERATOR })).status);
      expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
      expect(statuses.slice(3)).toEqual([429, 429]);
      expect((await rawCall(url, { principalId: "another-admin" })).status).toBe(200);
      bed.arm.setThrottling(false);
      bed.arm.setFaults({ errorRate: 1, statuses: [503] });
      expect((await rawCall(url, { principalId: OPERATOR })).status).toBe(503);
      bed.arm.clearFaults();
      expect((await rawCall(url, { principalId: OPERATOR })).status).toBe(200);
    } finally {
      await bed.stop();
    }
  });
});
