// Where the CLI connects: flags over environment over .sandbox/sandbox.json, and key shorthand resolution.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseCommandLine } from "../../../cli/commandLine";
import { resolveConnection } from "../../../cli/connection";
import { resolveKeyId } from "../../../cli/keyReference";

const sandboxDir = mkdtempSync(join(tmpdir(), "cmk-cli-conn-"));
writeFileSync(
  join(sandboxDir, "sandbox.json"),
  JSON.stringify({
    functionsBaseUrl: "http://127.0.0.1:7071",
    functionKey: "sandbox-key",
    revocationSecret: "sandbox-secret",
    keyVaults: { "kv-ci": "https://127.0.0.1:8443" },
  }),
);
afterAll(() => rmSync(sandboxDir, { recursive: true, force: true }));

const optionsOf = (...argv: string[]) => parseCommandLine(["bindings", "list", ...argv]).options;

describe("resolveConnection", () => {
  it("falls back to the sandbox state file named by CMK_SANDBOX_DIR", () => {
    const connection = resolveConnection(optionsOf(), { CMK_SANDBOX_DIR: sandboxDir }, "/nowhere");
    expect(connection).toMatchObject({
      baseUrl: "http://127.0.0.1:7071",
      functionKey: "sandbox-key",
      revocationSecret: "sandbox-secret",
      keyVaults: { "kv-ci": "https://127.0.0.1:8443" },
    });
  });

  it("reads ./.sandbox under the working directory by default", () => {
    const cwd = mkdtempSync(join(tmpdir(), "cmk-cli-cwd-"));
    try {
      const dir = join(cwd, ".sandbox");
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir);
      writeFileSync(join(dir, "sandbox.json"), JSON.stringify({ functionsBaseUrl: "http://127.0.0.1:9" }));
      expect(resolveConnection(optionsOf(), {}, cwd).baseUrl).toBe("http://127.0.0.1:9");
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it("prefers environment over the sandbox and flags over both", () => {
    const env = {
      CMK_SANDBOX_DIR: sandboxDir,
      CMK_BASE_URL: "https://app.azurewebsites.net",
      CMK_FUNCTION_KEY: "env-key",
    };
    const fromEnv = resolveConnection(optionsOf(), env, "/");
    expect(fromEnv).toMatchObject({
      baseUrl: "https://app.azurewebsites.net",
      functionKey: "env-key",
      source: "CMK_BASE_URL",
    });
    // The sandbox's secrets never go to another host.
    expect(fromEnv.revocationSecret).toBeUndefined();
    expect(fromEnv.keyVaults).toEqual({});
    const fromFlags = resolveConnection(
      optionsOf("--base-url", "http://h:1/", "--function-key", "flag-key"),
      env,
      "/",
    );
    expect(fromFlags).toMatchObject({ baseUrl: "http://h:1", functionKey: "flag-key", source: "--base-url" });
  });

  it("says how to fix a missing base URL", () => {
    expect(() => resolveConnection(optionsOf(), { CMK_SANDBOX_DIR: join(sandboxDir, "none") }, "/")).toThrow(
      /pass --base-url, set CMK_BASE_URL, or start the sandbox/,
    );
    expect(() => resolveConnection(optionsOf("--base-url", "not a url"), {}, "/")).toThrow(/is not a URL/);
  });
});

describe("resolveKeyId", () => {
  it.each([
    ["https://kv.vault.azure.net/keys/cmk/", {}, "https://kv.vault.azure.net/keys/cmk"],
    ["kv/cmk", {}, "https://kv.vault.azure.net/keys/cmk"],
    ["kv-ci/cmk", { "kv-ci": "https://127.0.0.1:8443/" }, "https://127.0.0.1:8443/keys/cmk"],
  ])("%s", (keyRef, vaults, expected) => {
    expect(resolveKeyId(keyRef, vaults)).toBe(expected);
  });

  it.each(["https://kv.vault.azure.net/keys/cmk/v1", "https://kv.vault.azure.net/secrets/x", "cmk", "a/b/c"])(
    "refuses %s",
    (keyRef) => {
      expect(() => resolveKeyId(keyRef, {})).toThrow();
    },
  );
});
