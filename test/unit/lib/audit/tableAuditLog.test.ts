// Audit log against in-process Azurite: newest-first history, lookup by id, attempts, decisions, no secrets.
import { TableClient } from "@azure/data-tables";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAzurite, type RunningAzurite } from "../../../../sandbox/azurite";
import {
  createTableAuditLog,
  type AuditLog,
  type RevocationRecord,
  type RotationRecord,
} from "../../../../src/lib/audit";

const key = { vaultName: "kv1", keyName: "cmk" };
const keyId = "https://127.0.0.1:8443/keys/cmk";

function rotation(id: string, startedAt: string, overrides: Partial<RotationRecord> = {}): RotationRecord {
  return {
    id,
    keyId,
    status: "Running",
    reason: "near expiry",
    trigger: "KeyNearExpiry",
    previousVersion: "v1",
    newVersion: null,
    targets: [
      {
        resourceId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st1",
        kind: "storageAccount",
        mode: "pinned",
        status: "Pending",
        detail: "",
      },
    ],
    startedAt,
    finishedAt: null,
    ...overrides,
  };
}

describe("table audit log", () => {
  let azurite: RunningAzurite;
  let table: TableClient;
  let audit: AuditLog;

  beforeAll(async () => {
    azurite = await startAzurite({ services: ["table"] });
    table = TableClient.fromConnectionString(azurite.connectionString, "audittest", {
      allowInsecureConnection: true,
    });
    audit = createTableAuditLog(table);
  });
  afterAll(async () => {
    await azurite.stop();
  });

  it("updates a rotation in place and finds it by id", async () => {
    await audit.putRotation(key, rotation("r-1", "2026-01-01T00:00:00.000Z"));
    const finished = rotation("r-1", "2026-01-01T00:00:00.000Z", {
      status: "Completed",
      newVersion: "v2",
      finishedAt: "2026-01-01T00:05:00.000Z",
    });
    await audit.putRotation(key, finished);
    expect(await audit.getRotation("r-1")).toEqual(finished);
    expect(await audit.getRotation("nope")).toBeUndefined();
    expect(await audit.getRevocation("r-1")).toBeUndefined();
  });

  it("keeps one history entry per operation id, showing its latest state, whatever startedAt each writer stamps", async () => {
    const doorKey = { vaultName: "kv1", keyName: "two-writers" };
    // The door stamps its clock before the instance starts; the orchestration stamps its own a little later.
    await audit.putRotation(doorKey, rotation("r-two", "2026-02-01T00:00:00.000Z"));
    const finished = rotation("r-two", "2026-02-01T00:00:00.007Z", {
      status: "Completed",
      finishedAt: "2026-02-01T00:01:00.000Z",
    });
    await audit.putRotation(doorKey, finished);
    const history = await audit.listHistory(doorKey);
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ id: "r-two", status: "Completed", startedAt: finished.startedAt });
    expect(await audit.getRotation("r-two")).toEqual(finished);
  });

  it("keeps one history row when two writers of one new id race", async () => {
    const raceKey = { vaultName: "kv1", keyName: "racing" };
    await Promise.all([
      audit.putRotation(raceKey, rotation("r-race", "2026-02-02T00:00:00.000Z")),
      audit.putRotation(raceKey, rotation("r-race", "2026-02-02T00:00:00.003Z", { status: "Completed" })),
    ]);
    expect(await audit.listHistory(raceKey)).toHaveLength(1);
  });

  it("reads a key's rotations and revocations newest first, limited by top", async () => {
    const other = { vaultName: "kv1", keyName: "other" };
    await audit.putRotation(key, rotation("r-3", "2026-03-01T00:00:00.000Z"));
    await audit.putRotation(key, rotation("r-2", "2026-02-01T00:00:00.000Z"));
    await audit.putRotation(
      other,
      rotation("r-x", "2026-04-01T00:00:00.000Z", { keyId: "https://127.0.0.1:8443/keys/other" }),
    );
    const revocation: RevocationRecord = {
      id: "rv-1",
      keyId,
      status: "Revoked",
      reason: "incident",
      requestId: "req-1",
      versions: [
        { version: "v1", wasEnabled: true, disabledAt: "2026-02-15T00:00:01.000Z", restoredAt: null },
      ],
      targets: [],
      startedAt: "2026-02-15T00:00:00.000Z",
      finishedAt: "2026-02-15T00:00:02.000Z",
    };
    await audit.putRevocation(key, revocation);

    const history = await audit.listHistory({ vaultName: "KV1", keyName: "CMK" });
    expect(history.map((entry) => [entry.kind, entry.id])).toEqual([
      ["rotation", "r-3"],
      ["revocation", "rv-1"],
      ["rotation", "r-2"],
      ["rotation", "r-1"],
    ]);
    expect((await audit.listHistory(key, { top: 2 })).map((entry) => entry.id)).toEqual(["r-3", "rv-1"]);
    expect(await audit.getRevocation("rv-1")).toEqual(revocation);
  });

  it("keeps one row per target per attempt, idempotently", async () => {
    const base = {
      operationId: "r-1",
      resourceId: "/x/st1",
      kind: "storageAccount",
      mode: "pinned",
      step: "apply",
      detail: "",
      atMs: 1,
    } as const;
    await audit.recordTargetAttempt({ ...base, attempt: 1, status: "Failed", detail: "429" });
    await audit.recordTargetAttempt({ ...base, attempt: 2, status: "Applied" });
    await audit.recordTargetAttempt({ ...base, attempt: 2, status: "Applied" });
    await audit.recordTargetAttempt({ ...base, step: "verify", attempt: 1, status: "Verified" });
    const attempts = await audit.listTargetAttempts("r-1");
    expect(attempts.map((a) => `${a.step}#${a.attempt}:${a.status}`)).toEqual([
      "apply#1:Failed",
      "apply#2:Applied",
      "verify#1:Verified",
    ]);
  });

  it("records decisions newest first, with or without a key, and replaces by id", async () => {
    await audit.recordDecision({
      kind: "duplicate",
      key,
      reason: "DuplicateEvent",
      detail: "seen",
      atMs: 10,
      id: "e1",
    });
    await audit.recordDecision({
      kind: "duplicate",
      key,
      reason: "DuplicateEvent",
      detail: "seen",
      atMs: 10,
      id: "e1",
    });
    await audit.recordDecision({ kind: "incident", key, reason: "KeyExpired", detail: "expired", atMs: 20 });
    await audit.recordDecision({
      kind: "rejection",
      reason: "UnknownVault",
      detail: "vault evil",
      atMs: 5,
      source: "event abc",
    });
    expect((await audit.listDecisions(key)).map((d) => d.reason)).toEqual(["KeyExpired", "DuplicateEvent"]);
    expect(await audit.listDecisions(undefined)).toEqual([
      { kind: "rejection", reason: "UnknownVault", detail: "vault evil", atMs: 5, source: "event abc" },
    ]);
  });

  it("never writes a secret to any row", async () => {
    const leaky = {
      ...rotation("r-leak", "2026-05-01T00:00:00.000Z"),
      signature: "sha256=deadbeef",
      reason: `token eyJhbGciOiJub25lIn0.eyJvaWQiOiJ4In0.`,
    };
    await audit.putRotation(key, leaky);
    await audit.recordDecision({
      kind: "rejection",
      key,
      reason: "SignatureMismatch",
      detail: `got sha256=${"f".repeat(64)}`,
      atMs: 30,
    });
    for await (const entity of table.listEntities()) {
      const text = JSON.stringify(entity);
      expect(text).not.toMatch(/sha256=[0-9a-f]{8}|eyJhbGci|"signature"/);
    }
  });
});
