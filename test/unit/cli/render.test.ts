// Output formatting of the CLI: rotation records, history and bindings tables, progress lines, exit codes by outcome.
import { describe, expect, it } from "vitest";
import { exitCodeForHttpStatus, ExitCode } from "../../../cli/exitCodes";
import { exitCodeForOutcome, isFinished } from "../../../cli/outcome";
import { renderBindingList, renderHistory, renderRevocation, renderRotation } from "../../../cli/render";
import { renderTable } from "../../../cli/table";
import { progressLine } from "../../../cli/waitForOutcome";

const rotation = {
  id: "rot-1",
  keyId: "https://kv.vault.azure.net/keys/cmk",
  status: "Completed",
  reason: "drill",
  trigger: "http",
  previousVersion: "v1",
  newVersion: "v2",
  targets: [
    {
      resourceId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/adls1",
      kind: "storageAccount",
      mode: "pinned",
      status: "Verified",
      detail: "currentVersionedKeyIdentifier ends with v2",
    },
  ],
  startedAt: "2026-01-01T00:00:00.000Z",
  finishedAt: "2026-01-01T00:00:05.000Z",
};

describe("rendering", () => {
  it("aligns table columns", () => {
    expect(
      renderTable(
        ["a", "bb"],
        [
          ["xxx", "y"],
          ["z", "w"],
        ],
      ),
    ).toBe("a    bb\nxxx  y\nz    w");
  });

  it("shows a rotation with its versions and targets", () => {
    const text = renderRotation(rotation);
    expect(text).toContain("rotation rot-1  Completed");
    expect(text).toContain("v1 -> v2");
    expect(text).toMatch(
      /Verified\s+storageAccount\s+pinned\s+adls1\s+currentVersionedKeyIdentifier ends with v2/,
    );
  });

  it("shows history newest first as given, with targets done", () => {
    const text = renderHistory({
      value: [rotation, { ...rotation, id: "rev-1", kind: "revocation", status: "Revoked", targets: [] }],
    });
    const lines = text.split("\n");
    expect(lines[0]).toMatch(/^started\s+kind\s+status/);
    expect(lines[1]).toMatch(/rotation\s+Completed\s+http\s+v1 -> v2\s+1\/1\s+rot-1$/);
    expect(lines[2]).toMatch(/revocation\s+Revoked/);
    expect(renderHistory({ value: [] })).toBe("no history for this key");
  });

  it("shows what a revocation did to each version and environment", () => {
    const text = renderRevocation({
      id: "rev-1",
      status: "Revoked",
      interruptedRotationId: "rot-9",
      versions: [
        { version: "v2", wasEnabled: true, disabledAt: "2026-01-01T00:00:00.000Z" },
        { version: "v1", wasEnabled: false },
        {
          version: "v0",
          wasEnabled: true,
          disabledAt: "2026-01-01T00:00:00.000Z",
          restoredAt: "2026-01-02T00:00:00.000Z",
        },
      ],
      environments: [{ id: "e1", displayName: "Prod", state: "Locked" }],
    });
    expect(text).toContain("revocation rev-1  Revoked");
    expect(text).toContain("stopped    rotation rot-9");
    expect(text).toMatch(/v2\s+disabled\s+2026-01-01T00:00:00.000Z/);
    expect(text).toMatch(/v1\s+already disabled, untouched/);
    expect(text).toMatch(/v0\s+re-enabled\s+2026-01-02/);
    expect(text).toContain("environments Prod: Locked");
  });

  it("shortens long key versions in the history table", () => {
    const text = renderHistory({
      value: [{ ...rotation, previousVersion: "a".repeat(32), newVersion: "b".repeat(32) }],
    });
    expect(text).toContain(`${"a".repeat(12)} -> ${"b".repeat(12)}`);
  });

  it("lists bindings one key per row", () => {
    const text = renderBindingList({
      value: [
        { vaultName: "kv", keyName: "cmk", targets: rotation.targets, policy: { retireAfter: "P30D" } },
      ],
    });
    expect(text.split("\n")[1]).toMatch(/^kv\/cmk\s+storageAccount:pinned:adls1\s+retireAfter=P30D$/);
  });

  it("writes a progress line with the state of each target", () => {
    const line = progressLine(
      { what: "rotation", id: "rot-1", fetchRecord: () => Promise.resolve() },
      { ...rotation, status: "Running" },
      4,
    );
    expect(line).toBe("rotation rot-1: Running · targets 1/1 done (storageAccount: Verified) · 4 s");
  });
});

describe("exit codes", () => {
  it.each([
    [400, ExitCode.Usage],
    [401, ExitCode.Auth],
    [403, ExitCode.Auth],
    [404, ExitCode.NotFound],
    [409, ExitCode.Conflict],
    [429, ExitCode.Failed],
    [503, ExitCode.Failed],
  ])("HTTP %i → %i", (status, code) => {
    expect(exitCodeForHttpStatus(status)).toBe(code);
  });

  it("gives a refused key change preflight (409 PreflightFailed) its own code, 8", () => {
    expect(exitCodeForHttpStatus(409, "PreflightFailed")).toBe(ExitCode.PreflightFailed);
    expect(ExitCode.PreflightFailed).toBe(8);
    expect(exitCodeForHttpStatus(409, "KeyChangeInProgress")).toBe(ExitCode.Conflict);
    expect(exitCodeForHttpStatus(400, "PreflightFailed")).toBe(ExitCode.Usage);
  });

  it.each([
    ["Running", false, ExitCode.Ok],
    ["Completed", true, ExitCode.Ok],
    ["Skipped", true, ExitCode.Ok],
    ["PartiallyApplied", true, ExitCode.Failed],
    ["Failed", true, ExitCode.Failed],
  ])("%s finished=%s exit=%i", (status, finished, code) => {
    expect(isFinished({ status })).toBe(finished);
    expect(exitCodeForOutcome({ status })).toBe(code);
  });
});
