// End to end through the local host: the bindings API (validation, CRUD, list), key history, and the anonymous health check.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startE2eStack, type E2eStack } from "../../support/e2eStack";

let stack: E2eStack;
let storageId: string;

beforeAll(async () => {
  stack = await startE2eStack({ eventSchema: "none" });
  await stack.operatorKeys().createRsaKey("cmk-bind", { keySize: 2048 });
  await stack.operatorKeys().createRsaKey("cmk-big", { keySize: 4096 });
  storageId = (
    await stack.arm.seedStorageAccount({
      name: "stbind",
      customerManagedKey: { vaultName: stack.vaultName, keyName: "cmk-bind" },
    })
  ).id;
});

afterAll(async () => {
  await stack?.stop();
});

/** Validation needs a well-formed id, not an existing account (it.each tables are built before beforeAll runs). */
const wellFormedStorageId =
  "/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/stbindstatic";
const policyId =
  "/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg/providers/Microsoft.PowerPlatform/enterprisePolicies/ep-big";

describe("bindings API", () => {
  it("stores, reads, lists and deletes a binding", async () => {
    const body = {
      targets: [{ kind: "storageAccount", resourceId: storageId, mode: "versionless" }],
      policy: { rotateEvery: "P90D" },
    };
    const put = await stack.call(`/api/bindings/${stack.vaultName}/cmk-bind`, {
      method: "PUT",
      body: JSON.stringify(body),
    });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({
      vaultName: stack.vaultName,
      keyName: "cmk-bind",
      keyId: `${stack.vaultUrl()}/keys/cmk-bind`,
      targets: body.targets,
      policy: body.policy,
    });
    expect(await (await stack.call(`/api/bindings/${stack.vaultName}/cmk-bind`)).json()).toMatchObject({
      targets: body.targets,
    });
    const list = (await (await stack.call("/api/bindings")).json()) as { value: { keyName: string }[] };
    expect(list.value.map((binding) => binding.keyName)).toContain("cmk-bind");
    expect((await stack.call(`/api/bindings/${stack.vaultName}/cmk-bind`, { method: "DELETE" })).status).toBe(
      204,
    );
    expect((await stack.call(`/api/bindings/${stack.vaultName}/cmk-bind`)).status).toBe(404);
  });

  it.each([
    [
      "an unknown kind",
      "cmk-bind",
      { targets: [{ kind: "sqlServer", resourceId: wellFormedStorageId, mode: "pinned" }] },
      400,
      "InvalidBinding",
    ],
    [
      "a bad resource id",
      "cmk-bind",
      { targets: [{ kind: "storageAccount", resourceId: "/not/an/id", mode: "pinned" }] },
      400,
      "InvalidBinding",
    ],
    [
      "a duration that does not parse",
      "cmk-bind",
      {
        targets: [{ kind: "storageAccount", resourceId: wellFormedStorageId, mode: "pinned" }],
        policy: { rotateEvery: "90 days" },
      },
      400,
      "InvalidDuration",
    ],
    [
      "retireAfter under 28 days with a Power Platform target",
      "cmk-bind",
      {
        targets: [{ kind: "powerPlatformPolicy", resourceId: policyId, mode: "versionless" }],
        policy: { retireAfter: "P7D" },
      },
      400,
      "InvalidBinding",
    ],
    [
      "a key size Power Platform does not accept",
      "cmk-big",
      { targets: [{ kind: "powerPlatformPolicy", resourceId: policyId, mode: "versionless" }] },
      400,
      "IncompatibleKey",
    ],
    [
      "a key that does not exist",
      "cmk-missing",
      { targets: [{ kind: "storageAccount", resourceId: wellFormedStorageId, mode: "pinned" }] },
      404,
      "KeyNotFound",
    ],
  ])("refuses %s", async (_label, keyName, body, status, code) => {
    const response = await stack.call(`/api/bindings/${stack.vaultName}/${keyName}`, {
      method: "PUT",
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ error: { code, message: expect.any(String) } });
    expect((await stack.call(`/api/bindings/${stack.vaultName}/${keyName}`)).status).toBe(404);
  });

  it("refuses a vault that is not allow-listed and a malformed body", async () => {
    expect((await stack.call("/api/bindings/kv-other/cmk", { method: "PUT", body: "{}" })).status).toBe(400);
    const malformed = await stack.call(`/api/bindings/${stack.vaultName}/cmk-bind`, {
      method: "PUT",
      body: "[1,2",
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: { code: "InvalidJson" } });
  });
});

describe("history and health", () => {
  it("validates top and returns an empty history for a key never rotated", async () => {
    expect(await (await stack.call(`/api/keys/${stack.vaultName}/cmk-bind/history?top=5`)).json()).toEqual({
      value: [],
    });
    expect((await stack.call(`/api/keys/${stack.vaultName}/cmk-bind/history?top=0`)).status).toBe(400);
    expect((await stack.call(`/api/keys/${stack.vaultName}/cmk-bind/history?top=abc`)).status).toBe(400);
  });

  it("answers anonymously 200 when dependencies answer and 503 naming the one that does not", async () => {
    const healthy = await stack.call("/api/health", { key: null });
    expect(healthy.status).toBe(200);
    expect(await healthy.json()).toMatchObject({
      status: "ok",
      dependencies: expect.arrayContaining([{ name: "tableStorage", status: "ok" }]),
    });
    stack.keyVault.denyPrincipal(stack.vaultName, "*");
    try {
      const degraded = await stack.call("/api/health", { key: null });
      expect(degraded.status).toBe(503);
      expect(await degraded.json()).toMatchObject({
        status: "degraded",
        dependencies: expect.arrayContaining([
          expect.objectContaining({ name: `keyVault:${stack.vaultName}`, status: "down" }),
        ]),
      });
    } finally {
      stack.keyVault.allowPrincipal(stack.vaultName, "*");
    }
  });
});
