// Unit tests of key id parsing against the allow-list, including origin anti-spoofing.
import { describe, expect, it } from "vitest";
import { isDomainError } from "../../../../src/lib/errors";
import {
  VaultAllowList,
  isSameKey,
  keyPathOf,
  revocationInstanceId,
  rotationInstanceId,
  versionOfKeyId,
} from "../../../../src/lib/keys";

const allowList = new VaultAllowList([
  { name: "kv1", url: "https://127.0.0.1:8443" },
  { name: "kv-prod", url: "https://kv-prod.vault.azure.net" },
]);

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return isDomainError(error) ? error.code : "NotADomainError";
  }
  return undefined;
}

describe("VaultAllowList.parseKeyId", () => {
  it.each([
    [
      "https://127.0.0.1:8443/keys/cmk",
      { vaultName: "kv1", keyName: "cmk", vaultUrl: "https://127.0.0.1:8443" },
    ],
    [
      "https://127.0.0.1:8443/keys/cmk/",
      { vaultName: "kv1", keyName: "cmk", vaultUrl: "https://127.0.0.1:8443" },
    ],
    [
      "https://KV-PROD.vault.azure.net/keys/cmk-1/0123abcd",
      {
        vaultName: "kv-prod",
        keyName: "cmk-1",
        vaultUrl: "https://kv-prod.vault.azure.net",
        version: "0123abcd",
      },
    ],
    [
      "https://kv-prod.vault.azure.net:443/keys/cmk",
      { vaultName: "kv-prod", keyName: "cmk", vaultUrl: "https://kv-prod.vault.azure.net" },
    ],
    [
      "  https://kv-prod.vault.azure.net/KEYS/cmk  ",
      { vaultName: "kv-prod", keyName: "cmk", vaultUrl: "https://kv-prod.vault.azure.net" },
    ],
  ])("accepts %s", (keyId, expected) => {
    expect(allowList.parseKeyId(keyId)).toEqual(expected);
  });

  it.each([
    ["not a string", 42, "InvalidKeyId"],
    ["an empty string", "", "InvalidKeyId"],
    ["not a URL", "kv1/keys/cmk", "InvalidKeyId"],
    ["http", "http://127.0.0.1:8443/keys/cmk", "InvalidKeyId"],
    ["credentials in the URL", "https://kv-prod.vault.azure.net@evil.example/keys/cmk", "InvalidKeyId"],
    ["a query", "https://kv-prod.vault.azure.net/keys/cmk?x=1", "InvalidKeyId"],
    ["a secret path", "https://kv-prod.vault.azure.net/secrets/cmk", "InvalidKeyId"],
    ["too many segments", "https://kv-prod.vault.azure.net/keys/cmk/v1/extra", "InvalidKeyId"],
    ["a bad key name", "https://kv-prod.vault.azure.net/keys/c_m_k", "InvalidKeyId"],
    ["an unknown vault", "https://other.vault.azure.net/keys/cmk", "UnknownVault"],
    ["a look-alike host", "https://kv-prod.vault.azure.net.evil.example/keys/cmk", "KeyIdOriginMismatch"],
    ["the right host on another port", "https://127.0.0.1:9999/keys/cmk", "UnknownVault"],
  ])("refuses %s", (_, keyId, code) => {
    expect(codeOf(() => allowList.parseKeyId(keyId))).toBe(code);
  });

  it("refuses an id whose origin is not the allow-listed URL of the vault it claims", () => {
    expect(
      codeOf(() => allowList.parseKeyId("https://evil.example/keys/cmk", { vaultName: "kv-prod" })),
    ).toBe("KeyIdOriginMismatch");
    expect(
      codeOf(() => allowList.parseKeyId("https://127.0.0.1:8443/keys/cmk", { vaultName: "kv-prod" })),
    ).toBe("KeyIdOriginMismatch");
    expect(codeOf(() => allowList.parseKeyId("https://127.0.0.1:8443/keys/cmk", { vaultName: "nope" }))).toBe(
      "UnknownVault",
    );
    expect(allowList.parseKeyId("https://127.0.0.1:8443/keys/cmk", { vaultName: "KV1" }).vaultName).toBe(
      "kv1",
    );
  });

  it("refuses a versioned id where a versionless one is required", () => {
    expect(
      codeOf(() => allowList.parseKeyId("https://127.0.0.1:8443/keys/cmk/abc", { versionless: "required" })),
    ).toBe("InvalidKeyId");
  });
});

describe("versionOfKeyId", () => {
  it.each([
    ["https://kv-prod.vault.azure.net/keys/cmk/0123abcd", "0123abcd"],
    ["https://kv-prod.vault.azure.net/keys/cmk", undefined],
    ["https://kv-prod.vault.azure.net/keys/cmk/", undefined],
    ["https://kv-prod.vault.azure.net/secrets/cmk/0123abcd", undefined],
    ["not a key id", undefined],
    [undefined, undefined],
  ])("reads %s as version %s", (keyId, version) => {
    expect(versionOfKeyId(keyId)).toBe(version);
  });
});

describe("key identity helpers", () => {
  it("builds key ids back and validates route names", () => {
    expect(allowList.keyIdOf({ vaultName: "KV1", keyName: "cmk" })).toBe("https://127.0.0.1:8443/keys/cmk");
    expect(allowList.keyIdOf({ vaultName: "kv1", keyName: "cmk" }, "v2")).toBe(
      "https://127.0.0.1:8443/keys/cmk/v2",
    );
    expect(allowList.identity("KV1", "cmk")).toEqual({ vaultName: "kv1", keyName: "cmk" });
    expect(codeOf(() => allowList.identity("kv9", "cmk"))).toBe("UnknownVault");
    expect(codeOf(() => allowList.identity("kv1", "a/b"))).toBe("InvalidKeyId");
  });

  it("compares keys case-insensitively", () => {
    expect(isSameKey({ vaultName: "KV1", keyName: "CMK" }, { vaultName: "kv1", keyName: "cmk" })).toBe(true);
    expect(keyPathOf({ vaultName: "KV1", keyName: "Cmk" })).toBe("kv1/cmk");
  });

  it("gives each key one deterministic rotation and revocation instance id", () => {
    const key = { vaultName: "KV1", keyName: "Cmk" };
    expect(rotationInstanceId(key)).toBe("rotate:kv1:cmk");
    expect(rotationInstanceId({ vaultName: "kv1", keyName: "cmk" })).toBe(rotationInstanceId(key));
    expect(revocationInstanceId(key)).toBe("revoke:kv1:cmk");
    const long = rotationInstanceId({ vaultName: "kv1", keyName: "k".repeat(127) });
    expect(long.length).toBeLessThanOrEqual(100);
    expect(long).not.toBe(rotationInstanceId({ vaultName: "kv1", keyName: `${"k".repeat(126)}j` }));
    expect(long).not.toMatch(/[/\\#?]/);
  });
});
