// Key Vault event normalisation over the casing and encoding variants seen in real deliveries.
import { describe, expect, it } from "vitest";
import { eventDedupeKey, normalizeKeyVaultEvent, type KeyVaultKeyEvent } from "../../../../src/lib/events";
import payloads from "./keyVaultEventPayloads.json";

function normalized(delivered: unknown): KeyVaultKeyEvent {
  const result = normalizeKeyVaultEvent(delivered);
  if (!result.ok) throw new Error(`expected ok, got: ${result.reason}`);
  return result.event;
}

describe("normalizeKeyVaultEvent", () => {
  it.each([
    ["PascalCase Event Grid", payloads.pascalCaseEventGrid, "KeyNearExpiry", "EventGridSchema", 1764410000],
    [
      "camelCase with numeric strings",
      payloads.camelCaseEventGrid,
      "KeyNewVersionCreated",
      "EventGridSchema",
      1764410000,
    ],
    [
      "mixed case with a trailing-space key and null NBF",
      payloads.mixedCaseTrailingSpace,
      "KeyExpired",
      "EventGridSchema",
      undefined,
    ],
    ["CloudEvents 1.0", payloads.cloudEvent, "KeyNearExpiry", "CloudEventSchemaV1_0", undefined],
  ])("reads %s", (_label, delivered, kind, schema, notBefore) => {
    const event = normalized(delivered);
    expect(event).toMatchObject({
      kind,
      schema,
      vaultName: "contoso-cmk",
      keyName: "cmk-ci",
      version: "0b2a3c4d5e6f",
      objectType: "Key",
      objectId: "https://contoso-cmk.vault.azure.net/keys/cmk-ci/0b2a3c4d5e6f",
      expiresOnSeconds: 1767000000,
      notBeforeSeconds: notBefore,
    });
    expect(event.source).toMatch(/\/vaults\/contoso-cmk$/);
  });

  it("keeps the event time from a Date as ISO text", () => {
    const event = normalized({
      ...payloads.pascalCaseEventGrid,
      eventTime: new Date("2026-11-29T10:00:00Z"),
    });
    expect(event.eventTime).toBe("2026-11-29T10:00:00.000Z");
  });

  it("falls back to the envelope when data omits names", () => {
    const event = normalized({
      ...payloads.pascalCaseEventGrid,
      data: { Id: "https://contoso-cmk.vault.azure.net/keys/cmk-ci/abc123" },
    });
    expect(event).toMatchObject({ vaultName: "contoso-cmk", keyName: "cmk-ci", version: "abc123" });
  });

  it("treats unparseable NBF/EXP as absent", () => {
    const event = normalized({
      ...payloads.pascalCaseEventGrid,
      data: { ...payloads.pascalCaseEventGrid.data, NBF: "soon", EXP: "" },
    });
    expect(event.notBeforeSeconds).toBeUndefined();
    expect(event.expiresOnSeconds).toBeUndefined();
  });

  it("marks other event types as Other without requiring key fields", () => {
    const event = normalized({
      ...payloads.pascalCaseEventGrid,
      eventType: "Microsoft.KeyVault.VaultAccessPolicyChanged",
      data: {},
    });
    expect(event.kind).toBe("Other");
    const secret = normalized({ ...payloads.cloudEvent, type: "Microsoft.KeyVault.SecretNearExpiry" });
    expect(secret.kind).toBe("Other");
  });

  it.each([
    ["a string", "not an event"],
    ["an array", [payloads.pascalCaseEventGrid]],
    ["no event type", { ...payloads.pascalCaseEventGrid, eventType: undefined }],
    [
      "a key event without a key name",
      { eventType: "Microsoft.KeyVault.KeyNearExpiry", topic: "", data: { Version: "v1" } },
    ],
  ])("refuses %s", (_label, delivered) => {
    const result = normalizeKeyVaultEvent(delivered);
    expect(result.ok).toBe(false);
  });

  it("dedupes on vault, key, version and kind, not on id", () => {
    const first = normalized(payloads.pascalCaseEventGrid);
    const sameFromCloud = normalized(payloads.cloudEvent);
    const otherWithSameId = normalized({
      ...payloads.pascalCaseEventGrid,
      data: { ...payloads.pascalCaseEventGrid.data, Version: "v9" },
    });
    expect(eventDedupeKey(first)).toBe(eventDedupeKey(sameFromCloud));
    expect(eventDedupeKey(first)).not.toBe(eventDedupeKey(otherWithSameId));
  });
});
