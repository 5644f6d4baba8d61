import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SETTING_NAMES, STORAGE_IDENTITY_SETTING_NAMES } from "../../../../src/lib/settings";

interface LocalSettingsSample {
  Values: Record<string, string>;
  _comments: Record<string, string>;
}

const sample = JSON.parse(
  readFileSync(join(__dirname, "../../../../local.settings.sample.json"), "utf8"),
) as LocalSettingsSample;

describe("local.settings.sample.json", () => {
  it.each(SETTING_NAMES.map((name) => [name]))("lists and documents %s", (name) => {
    expect(sample.Values).toHaveProperty(name);
    expect(sample._comments[name]?.length ?? 0).toBeGreaterThan(20);
  });

  it.each(STORAGE_IDENTITY_SETTING_NAMES.map((name) => [name]))(
    "documents %s without setting it (locally the connection string wins)",
    (name) => {
      expect(sample.Values).not.toHaveProperty(name);
      expect(sample._comments[name]?.length ?? 0).toBeGreaterThan(20);
    },
  );

  it("does not lead a local run into an unresolved Key Vault reference for the revocation secret", () => {
    // Core Tools passes a reference through as text; the app would then refuse every revocation.
    expect(sample.Values.CMK_REVOCATION_SECRET).not.toMatch(/@Microsoft\.KeyVault/i);
    expect(sample._comments.CMK_REVOCATION_SECRET).toMatch(/does not resolve Key Vault references/);
  });
});
