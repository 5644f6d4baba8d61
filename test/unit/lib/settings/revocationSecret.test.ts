// Which CMK_REVOCATION_SECRET values may be the webhook's HMAC key (pure logic, no I/O).
import { describe, expect, it } from "vitest";
import { readRevocationSecret } from "../../../../src/lib/settings";

describe("readRevocationSecret", () => {
  it.each([
    ["openssl rand -hex 32", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"],
    ["openssl rand -base64 32", "q4Vb0Zr1m3sWk8yJt2nX6cPaLhE9uGdRfI7oTzS5vKw="],
    ["32 random hex characters", "4e1f0c9b7a2d8e6f3b5a1c0d9e8f7a6b"],
  ])("accepts %s", (_, value) => {
    expect(readRevocationSecret(value)).toEqual({ usable: true, key: value });
  });

  it.each([
    ["unset", undefined, /is not set/],
    ["blank", "   ", /is not set/],
    [
      "an unresolved Key Vault reference (SecretUri)",
      "@Microsoft.KeyVault(SecretUri=https://contoso-ops.vault.azure.net/secrets/cmk-revocation-secret/)",
      /unresolved Key Vault reference/,
    ],
    [
      "an unresolved Key Vault reference (VaultName)",
      "@Microsoft.KeyVault(VaultName=contoso-ops;SecretName=cmk-revocation-secret)",
      /unresolved Key Vault reference/,
    ],
    ["a short value", "hunter2", /shorter than 32/],
    ["one repeated character", "s".repeat(32), /not random/],
    ["a repeated word", "changeme".repeat(4), /not random/],
    ["a repeated block with many characters", "0123456789abcdef".repeat(2), /not random/],
  ])("refuses %s, naming the setting and how to fix it, never echoing the value", (_, value, why) => {
    const secret = readRevocationSecret(value);
    expect(secret.usable).toBe(false);
    if (secret.usable) return;
    expect(secret.problem).toMatch(why);
    expect(secret.problem).toMatch(/^CMK_REVOCATION_SECRET /);
    expect(secret.problem).toContain("openssl rand -hex 32");
    if (value?.trim()) expect(secret.problem).not.toContain(value);
  });
});
