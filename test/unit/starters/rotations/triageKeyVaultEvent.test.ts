// What each Key Vault event means for a key: rotate, propagate, or nothing with a reason (fakes: no I/O).
import { describe, expect, it } from "vitest";
import type { KeyBinding } from "../../../../src/lib/bindings";
import type { KeyVaultKeyEvent } from "../../../../src/lib/events";
import {
  ROTATION_ID_TAG,
  VaultAllowList,
  type KeyInfo,
  type KeyVaultGateway,
} from "../../../../src/lib/keys";
import { triageKeyVaultEvent } from "../../../../src/starters/rotations/triageKeyVaultEvent";

const allowList = new VaultAllowList([{ name: "kv1", url: "https://kv1.vault.azure.net" }]);
const binding: KeyBinding = {
  key: { vaultName: "kv1", keyName: "cmk" },
  targets: [
    {
      kind: "storageAccount",
      resourceId: "/subscriptions/s/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/st1",
      mode: "pinned",
    },
  ],
  policy: {},
  updatedAtMs: 1,
};

function keyInfo(version: string, tags: Record<string, string> = {}): KeyInfo {
  return {
    keyId: `https://kv1.vault.azure.net/keys/cmk/${version}`,
    version,
    enabled: true,
    createdOnMs: 1,
    tags,
    key: { vaultName: "kv1", keyName: "cmk" },
    keyType: "RSA",
    keySize: 2048,
    keyOps: ["wrapKey", "unwrapKey"],
  };
}

function services(current: KeyInfo, bound: KeyBinding | null = binding) {
  return {
    allowList,
    keyVault: {
      getKey: () => Promise.resolve(current),
      getRotationPolicy: () => Promise.resolve(undefined),
      listVersions: () => Promise.resolve([current]),
    } as unknown as KeyVaultGateway,
    bindings: {
      get: () => Promise.resolve(bound ?? undefined),
      put: () => Promise.reject(new Error("no")),
      delete: () => Promise.resolve(false),
      list: () => Promise.resolve([]),
    },
    discovery: {
      find: () => Promise.resolve([]),
      findInVaults: () => Promise.resolve([]),
      consumersOf: () => Promise.resolve([]),
    },
  };
}

function event(
  kind: KeyVaultKeyEvent["kind"],
  version: string,
  overrides: Partial<KeyVaultKeyEvent> = {},
): KeyVaultKeyEvent {
  return {
    kind,
    eventType: `Microsoft.KeyVault.${kind}`,
    eventId: "e1",
    schema: "EventGridSchema",
    source: "/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/kv1",
    vaultName: "kv1",
    objectType: "Key",
    keyName: "cmk",
    version,
    objectId: `https://kv1.vault.azure.net/keys/cmk/${version}`,
    ...overrides,
  };
}

describe("triageKeyVaultEvent", () => {
  it("rotates on near expiry of the current version, with an id shared by every delivery", async () => {
    const first = await triageKeyVaultEvent(services(keyInfo("v1")), event("KeyNearExpiry", "v1"));
    const again = await triageKeyVaultEvent(
      services(keyInfo("v1")),
      event("KeyNearExpiry", "v1", { eventId: "other", schema: "CloudEventSchemaV1_0" }),
    );
    expect(first).toMatchObject({ action: "start", request: { plan: { targets: binding.targets } } });
    expect(first).toMatchObject({
      action: "start",
      request: { mode: "rotate", trigger: "KeyNearExpiry", key: { vaultName: "kv1", keyName: "cmk" } },
    });
    expect(
      first.action === "start" &&
        again.action === "start" &&
        first.request.rotationId === again.request.rotationId,
    ).toBe(true);
  });

  it("rotates at once on expiry and flags an incident", async () => {
    const decision = await triageKeyVaultEvent(services(keyInfo("v1")), event("KeyExpired", "v1"));
    expect(decision).toMatchObject({ action: "start", incident: expect.stringContaining("expired") });
  });

  it("propagates a new version this service did not create", async () => {
    const decision = await triageKeyVaultEvent(services(keyInfo("v2")), event("KeyNewVersionCreated", "v2"));
    expect(decision).toMatchObject({ action: "start", request: { mode: "propagate", version: "v2" } });
  });

  it.each([
    [
      "a version this service created",
      keyInfo("v2", { [ROTATION_ID_TAG]: "r1" }),
      event("KeyNewVersionCreated", "v2"),
      "OwnVersion",
    ],
    ["a stale version", keyInfo("v2"), event("KeyNearExpiry", "v1"), "StaleVersion"],
    [
      "another event type",
      keyInfo("v1"),
      event("Other", "v1", { eventType: "Microsoft.KeyVault.SecretNearExpiry" }),
      "UnsupportedEventType",
    ],
    ["an unknown vault", keyInfo("v1"), event("KeyNearExpiry", "v1", { vaultName: "kv9" }), "UnknownVault"],
    [
      "a spoofed key id origin",
      keyInfo("v1"),
      event("KeyNearExpiry", "v1", { objectId: "https://kv1.evil.example/keys/cmk/v1" }),
      "KeyIdOriginMismatch",
    ],
  ])("ignores %s", async (_label, current, delivered, reason) => {
    const decision = await triageKeyVaultEvent(services(current), delivered);
    expect(decision).toMatchObject({ action: "ignore", reason });
  });

  it("ignores keys without bindings", async () => {
    const decision = await triageKeyVaultEvent(services(keyInfo("v1"), null), event("KeyNearExpiry", "v1"));
    expect(decision).toMatchObject({ action: "ignore", reason: "BindingNotFound" });
  });
});
