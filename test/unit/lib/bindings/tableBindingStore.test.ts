// Bindings registry against in-process Azurite: put, get, list, delete, case-insensitive keys.
import { TableClient } from "@azure/data-tables";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAzurite, type RunningAzurite } from "../../../../sandbox/azurite";
import { createTableBindingStore, validateBinding, type BindingStore } from "../../../../src/lib/bindings";

const sub = "00000000-0000-4000-8000-000000000001";
const target = {
  kind: "storageAccount",
  resourceId: `/subscriptions/${sub}/resourceGroups/rg1/providers/Microsoft.Storage/storageAccounts/st1`,
  mode: "pinned",
};

describe("table binding store", () => {
  let azurite: RunningAzurite;
  let store: BindingStore;
  let now = 1_000;

  beforeAll(async () => {
    azurite = await startAzurite({ services: ["table"] });
    const table = TableClient.fromConnectionString(azurite.connectionString, "bindingstest", {
      allowInsecureConnection: true,
    });
    store = createTableBindingStore(table, () => now);
  });
  afterAll(async () => {
    await azurite.stop();
  });

  it("stores, reads (case-insensitively), lists and deletes", async () => {
    expect(await store.get({ vaultName: "kv1", keyName: "cmk" })).toBeUndefined();
    const binding = validateBinding(
      { vaultName: "kv1", keyName: "Cmk" },
      { targets: [target], policy: { rotateEvery: "P90D" } },
    );
    const stored = await store.put(binding);
    expect(stored.updatedAtMs).toBe(1_000);
    expect(await store.get({ vaultName: "KV1", keyName: "cmk" })).toEqual(stored);

    now = 2_000;
    await store.put(
      validateBinding(
        { vaultName: "kv1", keyName: "cmk" },
        { targets: [{ ...target, mode: "versionless" }] },
      ),
    );
    await store.put(validateBinding({ vaultName: "kv0", keyName: "a" }, { targets: [target] }));
    const all = await store.list();
    expect(all.map((b) => `${b.key.vaultName}/${b.key.keyName}`)).toEqual(["kv0/a", "kv1/cmk"]);
    expect(all[1]).toMatchObject({ targets: [{ mode: "versionless" }], policy: {}, updatedAtMs: 2_000 });

    expect(await store.delete({ vaultName: "kv1", keyName: "CMK" })).toBe(true);
    expect(await store.delete({ vaultName: "kv1", keyName: "cmk" })).toBe(false);
    expect(await store.get({ vaultName: "kv1", keyName: "cmk" })).toBeUndefined();
  });
});
