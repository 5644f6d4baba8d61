// Replays revokeKey and restoreKey histories through the real durable-functions wrapper: exact steps, stragglers, retries, restore ownership.
import { beforeAll, describe, expect, it } from "vitest";
import type { RevocationRecord } from "../../../src/lib/audit";
import type { BindingTarget } from "../../../src/lib/bindings";
import {
  ENABLE_VERSIONS,
  LOAD_REVOCATION,
  LOWER_FENCE,
  RESTORE_KEY_ORCHESTRATION,
} from "../../../src/orchestrations/restoreKey/activityNames";
import type { RestoreKeyInput } from "../../../src/orchestrations/restoreKey/types";
import {
  CHECK_TARGET,
  PUBLISH_REVOCATION,
  RECORD_REVOCATION,
} from "../../../src/orchestrations/revocationSteps/activityNames";
import type { CheckTargetInput, CheckTargetResult } from "../../../src/orchestrations/revocationSteps/types";
import {
  DISABLE_VERSIONS,
  REVOKE_KEY_ORCHESTRATION,
  SNAPSHOT_VERSIONS,
  TAKE_OVER_KEY,
} from "../../../src/orchestrations/revokeKey/activityNames";
import type {
  DisableVersionsInput,
  DisableVersionsResult,
  RevokeKeyInput,
} from "../../../src/orchestrations/revokeKey/types";
import { captureFunctions } from "../../support/functionsCore";
import { runToCompletion, type ActivityAnswer, type ScheduledAction } from "../replayDriver";

const startAt = new Date("2026-11-29T10:00:00Z");
const storage: BindingTarget = {
  kind: "storageAccount",
  resourceId: "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st1",
  mode: "pinned",
};
const policy: BindingTarget = {
  kind: "powerPlatformPolicy",
  resourceId: "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.PowerPlatform/enterprisePolicies/ep1",
  mode: "versionless",
};

const initialRecord: RevocationRecord = {
  id: "rev-1",
  keyId: "https://kv1.vault.azure.net/keys/cmk",
  status: "Running",
  reason: "breach",
  requestId: "req-00000001",
  versions: [],
  targets: [],
  environments: [],
  interruptedRotationId: null,
  restore: null,
  startedAt: startAt.toISOString(),
  finishedAt: null,
};
const revokeInput: RevokeKeyInput = {
  revocationId: "rev-1",
  vaultName: "kv1",
  keyName: "cmk",
  record: initialRecord,
};

type Handler = (trigger: unknown, context: unknown) => never;
let revokeHandler: Handler;
let restoreHandler: Handler;

beforeAll(async () => {
  const app = await captureFunctions(async () => {
    await import("../../../src/orchestrations/revokeKey/index.js");
    await import("../../../src/orchestrations/restoreKey/index.js");
  });
  revokeHandler = app.get(REVOKE_KEY_ORCHESTRATION).callback as Handler;
  restoreHandler = app.get(RESTORE_KEY_ORCHESTRATION).callback as Handler;
});

/** Replays revokeKey on `revokeInput` from `startAt`, each activity answered by `answer`. */
const replayRevoke = (answer: (action: ScheduledAction) => ActivityAnswer) =>
  runToCompletion(revokeHandler, { input: revokeInput, name: REVOKE_KEY_ORCHESTRATION, startAt, answer });

const names = (actions: ScheduledAction[]) => actions.map((action) => action.functionName ?? "timer");

function verified(input: CheckTargetInput): CheckTargetResult {
  return {
    target: { ...input.target, status: "Verified", detail: "ok" },
    environments: [],
    isPending: false,
  };
}

/** The steps revokeKey and restoreKey share, on healthy services: every consumer verifies, recording and publishing succeed. */
function sharedStepAnswer(action: ScheduledAction): ActivityAnswer {
  switch (action.functionName) {
    case CHECK_TARGET:
      return { result: verified(action.input as CheckTargetInput) };
    case RECORD_REVOCATION:
    case PUBLISH_REVOCATION:
      return { result: null };
    default:
      throw new Error(`unexpected activity ${action.functionName}`);
  }
}

/** Healthy services; `disable` answers each DISABLE_VERSIONS call (1-based). */
function revokeAnswers(disable: (input: DisableVersionsInput, call: number) => DisableVersionsResult) {
  let disableCalls = 0;
  return (action: ScheduledAction): ActivityAnswer => {
    switch (action.functionName) {
      case TAKE_OVER_KEY:
        return { result: { interruptedRotationId: "rot-9" } };
      case SNAPSHOT_VERSIONS:
        return {
          result: {
            versions: [
              { version: "v3", enabled: true },
              { version: "v2", enabled: true },
              { version: "v1", enabled: false },
            ],
            targets: [storage, policy],
          },
        };
      case DISABLE_VERSIONS:
        disableCalls += 1;
        return { result: disable(action.input as DisableVersionsInput, disableCalls) };
      default:
        return sharedStepAnswer(action);
    }
  };
}

const allDone = (input: DisableVersionsInput): DisableVersionsResult => ({
  results: input.versions.map((version) => ({ version, isDone: true, detail: "" })),
  stragglers: [],
});

describe("revokeKey replay", () => {
  it("takes the key over, snapshots, disables only enabled versions, verifies consumers in parallel, records and publishes", async () => {
    const run = await replayRevoke(revokeAnswers(allDone));
    expect(run.state.isDone).toBe(true);
    expect(names(run.actions)).toEqual([
      TAKE_OVER_KEY,
      SNAPSHOT_VERSIONS,
      RECORD_REVOCATION,
      DISABLE_VERSIONS,
      RECORD_REVOCATION,
      CHECK_TARGET,
      CHECK_TARGET,
      RECORD_REVOCATION,
      PUBLISH_REVOCATION,
    ]);
    const disable = run.actions.find((action) => action.functionName === DISABLE_VERSIONS)!
      .input as DisableVersionsInput;
    expect(disable.versions).toEqual(["v3", "v2"]);
    expect(disable.knownVersions).toEqual(["v3", "v2", "v1"]);
    const checks = run.actions
      .filter((action) => action.functionName === CHECK_TARGET)
      .map((action) => action.input as CheckTargetInput);
    expect(checks.map((check) => check.expect)).toEqual(["Denied", "Denied"]);
    const record = run.state.output as RevocationRecord;
    expect(record).toMatchObject({
      status: "Revoked",
      interruptedRotationId: "rot-9",
      finishedAt: expect.any(String),
    });
    expect(
      record.versions.map((entry) => [entry.version, entry.wasEnabled, entry.disabledAt !== null]),
    ).toEqual([
      ["v3", true, true],
      ["v2", true, true],
      ["v1", false, false],
    ]);
    expect(record.targets.map((target) => target.status)).toEqual(["Verified", "Verified"]);
    // The record saved before verifying still says Running: only the final one carries the outcome.
    const saved = run.actions
      .filter((action) => action.functionName === RECORD_REVOCATION)
      .map((action) => (action.input as { record: RevocationRecord }).record.status);
    expect(saved).toEqual(["Running", "Running", "Revoked"]);
  });

  it("retries a throttled version after its Retry-After and keeps a straggler it disabled as its own", async () => {
    const run = await replayRevoke(
      revokeAnswers((input, call) =>
        call === 1
          ? {
              results: [
                { version: "v3", isDone: false, detail: "DependencyThrottled", retryAfterMs: 12_000 },
                { version: "v2", isDone: true, detail: "" },
              ],
              stragglers: [
                { version: "v4", wasEnabled: true, isDone: true, detail: "" },
                { version: "v0", wasEnabled: false, isDone: true, detail: "" },
              ],
            }
          : allDone(input),
      ),
    );
    expect(names(run.actions)).toEqual([
      TAKE_OVER_KEY,
      SNAPSHOT_VERSIONS,
      RECORD_REVOCATION,
      DISABLE_VERSIONS,
      "timer",
      DISABLE_VERSIONS,
      RECORD_REVOCATION,
      CHECK_TARGET,
      CHECK_TARGET,
      RECORD_REVOCATION,
      PUBLISH_REVOCATION,
    ]);
    const disables = run.actions.filter((action) => action.functionName === DISABLE_VERSIONS);
    const timer = run.actions.find((action) => action.fireAt !== undefined)!;
    const secondInput = disables[1].input as DisableVersionsInput;
    // The wait honours the Retry-After Key Vault asked for.
    expect(
      Date.parse(timer.fireAt!) - (disables[0].input as DisableVersionsInput).nowMs,
    ).toBeGreaterThanOrEqual(12_000);
    expect(secondInput.versions).toEqual(["v3"]);
    expect(secondInput.knownVersions).toEqual(["v3", "v2", "v1", "v4", "v0"]);
    const record = run.state.output as RevocationRecord;
    expect(record.status).toBe("Revoked");
    expect(record.versions.find((entry) => entry.version === "v4")).toMatchObject({
      wasEnabled: true,
      disabledAt: expect.any(String),
    });
    expect(record.versions.find((entry) => entry.version === "v0")).toMatchObject({
      wasEnabled: false,
      disabledAt: null,
    });
  });

  it("ends PartiallyRevoked when a version still cannot be disabled after three rounds", async () => {
    const run = await replayRevoke(
      revokeAnswers((input) => ({
        results: input.versions.map((version) => ({
          version,
          isDone: version !== "v3",
          detail: version === "v3" ? "DependencyUnavailable" : "",
        })),
        stragglers: [],
      })),
    );
    expect(run.actions.filter((action) => action.functionName === DISABLE_VERSIONS)).toHaveLength(3);
    expect((run.state.output as RevocationRecord).status).toBe("PartiallyRevoked");
  });
});

describe("restoreKey replay", () => {
  const revoked: RevocationRecord = {
    ...initialRecord,
    status: "Revoked",
    versions: [
      { version: "v3", wasEnabled: true, disabledAt: "2026-11-29T10:00:01.000Z", restoredAt: null },
      { version: "v2", wasEnabled: true, disabledAt: null, restoredAt: null },
      { version: "v1", wasEnabled: false, disabledAt: null, restoredAt: null },
    ],
    targets: [
      { ...storage, status: "Verifying", detail: "" },
      { ...policy, status: "Verified", detail: "" },
    ],
    finishedAt: "2026-11-29T10:00:02.000Z",
  };
  const restoreInput: RestoreKeyInput = {
    revocationId: "rev-1",
    vaultName: "kv1",
    keyName: "cmk",
    reason: "all clear",
    requestId: "req-00000002",
    reenableEnvironments: true,
  };
  const replayRestore = (answer: (action: ScheduledAction) => ActivityAnswer) =>
    runToCompletion(restoreHandler, {
      input: restoreInput,
      name: RESTORE_KEY_ORCHESTRATION,
      startAt,
      answer,
    });

  function restoreAnswers(enableWorks: boolean) {
    return (action: ScheduledAction): ActivityAnswer => {
      switch (action.functionName) {
        case LOAD_REVOCATION:
          return { result: revoked };
        case ENABLE_VERSIONS:
          return {
            result: {
              results: (action.input as { versions: string[] }).versions.map((version) => ({
                version,
                isDone: enableWorks,
                detail: enableWorks ? "" : "KeyRevoked",
              })),
            },
          };
        case LOWER_FENCE:
          return { result: true };
        default:
          return sharedStepAnswer(action);
      }
    };
  }

  it("re-enables only versions the revocation disabled, lowers the fence, and checks consumers are back", async () => {
    const run = await replayRestore(restoreAnswers(true));
    expect(names(run.actions)).toEqual([
      LOAD_REVOCATION,
      RECORD_REVOCATION,
      ENABLE_VERSIONS,
      LOWER_FENCE,
      CHECK_TARGET,
      CHECK_TARGET,
      RECORD_REVOCATION,
      PUBLISH_REVOCATION,
    ]);
    expect(run.actions.find((action) => action.functionName === ENABLE_VERSIONS)!.input).toMatchObject({
      versions: ["v3"],
      revocationId: "rev-1",
    });
    const checks = run.actions
      .filter((action) => action.functionName === CHECK_TARGET)
      .map((action) => action.input as CheckTargetInput);
    expect(
      checks.every((check) => check.expect === "Accessible" && check.reenableEnvironments === true),
    ).toBe(true);
    const record = run.state.output as RevocationRecord;
    expect(record).toMatchObject({
      status: "Restored",
      restore: { status: "Restored", requestId: "req-00000002", finishedAt: expect.any(String) },
    });
    expect(record.versions.map((entry) => entry.restoredAt !== null)).toEqual([true, false, false]);
  });

  it("keeps the fence up and ends PartiallyRestored when a version cannot be re-enabled", async () => {
    const run = await replayRestore(restoreAnswers(false));
    expect(names(run.actions)).not.toContain(LOWER_FENCE);
    expect((run.state.output as RevocationRecord).status).toBe("PartiallyRestored");
  });
});
