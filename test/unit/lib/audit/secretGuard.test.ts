// Unit tests of the audit secret guard: secret-named fields dropped, credential-shaped values masked.
import { describe, expect, it } from "vitest";
import { REDACTED, isSecretFieldName, stripSecrets } from "../../../../src/lib/audit";

describe("stripSecrets", () => {
  it.each([
    "secret",
    "revocationSecret",
    "token",
    "accessToken",
    "signature",
    "password",
    "connectionString",
    "accountKey",
    "apiKey",
    "key",
    "sasToken",
  ])("treats %s as secret", (name) => expect(isSecretFieldName(name)).toBe(true));

  it.each(["keyId", "keyName", "keyType", "requestId", "previousVersion", "reason", "detail", "resourceId"])(
    "keeps %s",
    (name) => {
      expect(isSecretFieldName(name)).toBe(false);
    },
  );

  it("drops secret fields at any depth and masks credential-shaped values", () => {
    const removed: string[] = [];
    const clean = stripSecrets(
      {
        keyId: "https://kv/keys/cmk",
        signature: "sha256=abc",
        nested: [{ token: "t", detail: `header x-cmk-signature: sha256=${"a".repeat(64)}` }],
        note: "Bearer eyJhbGciOiJub25lIn0.eyJvaWQiOiJ4In0.",
        conn: "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=abc123==;",
      },
      removed,
    );
    expect(removed).toEqual(["signature", "nested[0].token"]);
    expect(clean).toEqual({
      keyId: "https://kv/keys/cmk",
      nested: [{ detail: `header x-cmk-signature: ${REDACTED}` }],
      note: `Bearer ${REDACTED}`,
      conn: `DefaultEndpointsProtocol=https;AccountName=a;${REDACTED};`,
    });
  });
});
