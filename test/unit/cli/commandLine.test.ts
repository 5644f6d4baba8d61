// Argument parsing of the cmk-rotator command line: commands, options, and usage errors with exit code 2.
import { describe, expect, it } from "vitest";
import { CliError } from "../../../cli/CliError";
import { parseCommandLine, parseTargetArg } from "../../../cli/commandLine";
import { ExitCode } from "../../../cli/exitCodes";

function usageMessage(argv: string[]): string {
  try {
    parseCommandLine(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(ExitCode.Usage);
    return (error as CliError).message;
  }
  throw new Error(`expected a usage error for ${argv.join(" ")}`);
}

describe("parseCommandLine", () => {
  it.each([
    [
      ["rotate", "kv1/cmk", "--dry-run"],
      { name: "rotate", keyRef: "kv1/cmk", isDryRun: true, shouldWait: false },
    ],
    [
      ["rotate", "https://kv.vault.azure.net/keys/cmk", "--wait", "--reason", "drill"],
      {
        name: "rotate",
        keyRef: "https://kv.vault.azure.net/keys/cmk",
        isDryRun: false,
        shouldWait: true,
        reason: "drill",
      },
    ],
    [["status", "abc", "--wait"], { name: "status", id: "abc", kind: "any", shouldWait: true }],
    [["status", "abc", "--revocation"], { name: "status", id: "abc", kind: "revocation", shouldWait: false }],
    [["status", "abc", "--key-change"], { name: "status", id: "abc", kind: "keyChange", shouldWait: false }],
    [
      ["change-key", "kv1/old", "kv2/new", "--reason", "vault move"],
      {
        name: "changeKey",
        fromKeyRef: "kv1/old",
        toKeyRef: "kv2/new",
        reason: "vault move",
        isDryRun: false,
        shouldWait: false,
        targets: [],
      },
    ],
    [
      [
        "change-key",
        "kv1/old",
        "https://kv2.vault.azure.net/keys/new",
        "--reason",
        "leak",
        "--dry-run",
        "--wait",
        "--strategy",
        "direct",
        "--target",
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st1",
        "--target",
        "/providers/Microsoft.BusinessAppPlatform/environments/env-1",
      ],
      {
        name: "changeKey",
        toKeyRef: "https://kv2.vault.azure.net/keys/new",
        isDryRun: true,
        shouldWait: true,
        strategy: "direct",
        targets: [
          "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st1",
          "/providers/Microsoft.BusinessAppPlatform/environments/env-1",
        ],
      },
    ],
    [["history", "kv1/cmk", "--top", "5"], { name: "history", vaultName: "kv1", keyName: "cmk", top: 5 }],
    [["bindings", "list"], { name: "bindingsList" }],
    [["bindings", "get", "kv1/cmk"], { name: "bindingsGet", vaultName: "kv1", keyName: "cmk" }],
    [["bindings", "delete", "kv1/cmk"], { name: "bindingsDelete", vaultName: "kv1", keyName: "cmk" }],
    [
      ["revoke", "kv1/cmk", "--reason", "leak", "--request-id", "r1"],
      { name: "revoke", keyRef: "kv1/cmk", reason: "leak", shouldWait: false, requestId: "r1" },
    ],
    [
      ["restore", "rev-1", "--reason", "all clear", "--wait"],
      { name: "restore", id: "rev-1", reason: "all clear", shouldWait: true },
    ],
  ])("%j", (argv, expected) => {
    expect(parseCommandLine(argv).command).toMatchObject(expected);
  });

  it("reads bindings set targets and policy", () => {
    const { command } = parseCommandLine([
      "bindings",
      "set",
      "kv1/cmk",
      "--target",
      "storageAccount:pinned:/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st1",
      "--target",
      "powerPlatformPolicy:versionless:/subscriptions/s/resourceGroups/rg/providers/Microsoft.PowerPlatform/enterprisePolicies/ep",
      "--retire-after",
      "P30D",
    ]);
    expect(command).toMatchObject({
      name: "bindingsSet",
      vaultName: "kv1",
      keyName: "cmk",
      policy: { retireAfter: "P30D" },
      targets: [
        { kind: "storageAccount", mode: "pinned" },
        { kind: "powerPlatformPolicy", mode: "versionless" },
      ],
    });
  });

  it("reads global options and their defaults", () => {
    expect(parseCommandLine(["bindings", "list"]).options).toEqual({
      baseUrl: undefined,
      functionKey: undefined,
      revocationSecret: undefined,
      isJson: false,
      progress: "auto",
      timeoutSeconds: 600,
      pollIntervalSeconds: 1,
    });
    const { options } = parseCommandLine([
      "status",
      "x",
      "--json",
      "--no-progress",
      "--base-url",
      "http://h",
      "--function-key",
      "k",
      "--timeout",
      "30",
      "--interval",
      "0.2",
    ]);
    expect(options).toMatchObject({
      isJson: true,
      progress: "never",
      baseUrl: "http://h",
      functionKey: "k",
      timeoutSeconds: 30,
      pollIntervalSeconds: 0.2,
    });
    expect(parseCommandLine(["status", "x", "--progress"]).options.progress).toBe("always");
  });

  it("treats no command, help and --help as help", () => {
    expect(parseCommandLine([]).command.name).toBe("help");
    expect(parseCommandLine(["help", "rotate"]).command).toEqual({ name: "help", topic: "rotate" });
    expect(parseCommandLine(["rotate", "--help"]).command.name).toBe("help");
  });

  it.each([
    [["frobnicate"], /unknown command "frobnicate"/],
    [["rotate"], /needs <keyId>/],
    [["rotate", "a/b", "c/d"], /takes one <keyId>/],
    [["rotate", "a/b", "--top", "3"], /--top does not apply to "rotate"/],
    [["rotate", "a/b", "--bogus"], /Unknown option '--bogus'/],
    [["revoke", "a/b"], /needs --reason/],
    [["restore", "id", "--reason", "  "], /needs --reason/],
    [["history", "just-a-key"], /is not <vaultName>\/<keyName>/],
    [["history", "a/b", "--top", "0"], /positive number/],
    [["history", "a/b", "--top", "2.5"], /whole number/],
    [["status", "x", "--rotation", "--revocation"], /one of --rotation, --revocation or --key-change/],
    [["status", "x", "--revocation", "--key-change"], /one of --rotation, --revocation or --key-change/],
    [["change-key", "a/b", "--reason", "x"], /needs <fromKeyId> <toKeyId>, got 1/],
    [["change-key", "a/b", "c/d"], /needs --reason/],
    [["change-key", "a/b", "c/d", "--reason", "x", "--strategy", "fast"], /documented or direct/],
    [["change-key", "a/b", "c/d", "--reason", "x", "--target", "st1"], /"st1" is not a resource id/],
    [["change-key", "a/b", "c/d", "--reason", "x", "--force"], /--force does not apply to "change-key"/],
    [["rotate", "a/b", "--strategy", "direct"], /--strategy does not apply to "rotate"/],
    [["bindings"], /needs an action/],
    [["bindings", "purge", "a/b"], /unknown bindings action/],
    [["bindings", "set", "a/b"], /at least one --target/],
    [["bindings", "set", "a/b", "--target", "storageAccount:pinned"], /not <kind>:<mode>:<resourceId>/],
    [["bindings", "set", "a/b", "--file", "x.json", "--target", "k:m:/x"], /do not combine/],
    [["bindings", "get", "a/b", "--target", "k:m:/x"], /belong to "bindings set"/],
    [["status", "x", "--timeout", "soon"], /--timeout needs a positive number/],
  ])("%j is a usage error", (argv, message) => {
    expect(usageMessage(argv)).toMatch(message);
  });
});

describe("parseTargetArg", () => {
  it("keeps everything after the second colon as the resource id", () => {
    expect(parseTargetArg("storageAccount:pinned:/subscriptions/a:b/x")).toEqual({
      kind: "storageAccount",
      mode: "pinned",
      resourceId: "/subscriptions/a:b/x",
    });
  });
});
