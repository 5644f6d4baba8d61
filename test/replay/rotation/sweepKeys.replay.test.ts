// Replays the sweepKeys orchestration: bounded assessment, paced starts per vault, drift repairs, busy keys.
/* eslint-disable @typescript-eslint/no-explicit-any -- histories, actions and outputs are untyped wire JSON read loosely by the tests */
import { beforeAll, describe, expect, it } from "vitest";
import { captureFunctions, type CapturedApp } from "../../support/functionsCore";
import {
  ActionType,
  replay,
  runToCompletion,
  type ActivityAnswer,
  type ScheduledAction,
} from "../replayDriver";
import { RETIRE_PREVIOUS_VERSIONS } from "../../../src/orchestrations/rotateKey/activityNames";
import {
  ASSESS_KEY,
  LIST_BOUND_KEYS,
  RECORD_DRIFT,
  RECORD_SWEEP,
  START_KEY_ROTATION,
  SWEEP_KEYS_ORCHESTRATION,
} from "../../../src/orchestrations/sweepKeys/activityNames";
import {
  ASSESS_CONCURRENCY,
  ROTATIONS_PER_VAULT_PER_WINDOW,
  START_WINDOW_MS,
} from "../../../src/orchestrations/sweepKeys/limits";
import type { KeyAssessment, SweepKey } from "../../../src/orchestrations/sweepKeys/types";

const startAt = new Date("2026-12-01T00:00:00Z");
let app: CapturedApp;
let handler: (trigger: unknown, context: unknown) => any;

beforeAll(async () => {
  app = await captureFunctions(() => import("../../../src/orchestrations/sweepKeys/index.js"));
  handler = app.get(SWEEP_KEYS_ORCHESTRATION).callback as typeof handler;
});

const dueKeys: SweepKey[] = Array.from({ length: ROTATIONS_PER_VAULT_PER_WINDOW + 2 }, (_, index) => ({
  vaultName: "kv1",
  keyName: `due${index}`,
}));
const keys: SweepKey[] = [
  ...dueKeys,
  { vaultName: "kv1", keyName: "drifted" },
  { vaultName: "kv2", keyName: "fine" },
  { vaultName: "kv2", keyName: "busy" },
];

function assess(key: SweepKey): KeyAssessment {
  if (key.keyName.startsWith("due") || key.keyName === "busy")
    return { key, action: "Rotate", detail: "Due (RotateEvery).", currentVersion: "v1" };
  if (key.keyName === "drifted")
    return { key, action: "RepairDrift", detail: "st1 is on v1, not v2.", currentVersion: "v2" };
  return { key, action: "None", detail: "Up to date.", currentVersion: "v9", retirementDue: true };
}

function answer(action: ScheduledAction): ActivityAnswer {
  switch (action.functionName) {
    case LIST_BOUND_KEYS:
      return { result: { keys } };
    case ASSESS_KEY:
      return { result: assess(action.input.key) };
    case START_KEY_ROTATION:
      return action.input.key.keyName === "busy"
        ? {
            result: {
              started: false,
              reason: "RotationInProgress",
              runningId: "r-busy",
              instanceId: "rotate:kv2:busy",
            },
          }
        : {
            result: {
              started: true,
              rotationId: action.input.rotationId,
              instanceId: `rotate:${action.input.key.keyName}`,
            },
          };
    case RECORD_DRIFT:
      return action.input.key.keyName === "drifted"
        ? { result: { key: action.input.key, open: 1, detected: 1, resolved: 0 } }
        : { result: { key: action.input.key, open: 0, detected: 0, resolved: 0 } };
    case RETIRE_PREVIOUS_VERSIONS:
      return {
        result: {
          disabledVersions: [],
          retainedVersions: [{ version: "v8", reason: "Kept: st9 (Unregistered) still uses it." }],
        },
      };
    case RECORD_SWEEP:
      return { result: action.input };
    default:
      throw new Error(`unexpected activity ${action.functionName}`);
  }
}

describe("sweepKeys replay", () => {
  it("assesses in bounded batches, paces new versions per vault and repairs drift", async () => {
    const run = await runToCompletion(handler, {
      input: { reason: "schedule" },
      name: SWEEP_KEYS_ORCHESTRATION,
      startAt,
      answer,
    });
    const assessments = run.actions.filter((action) => action.functionName === ASSESS_KEY);
    expect(assessments).toHaveLength(keys.length);
    expect(run.episodes).toBeGreaterThanOrEqual(1 + Math.ceil(keys.length / ASSESS_CONCURRENCY));

    const starts = run.actions.filter((action) => action.functionName === START_KEY_ROTATION);
    const timerIndex = run.actions.findIndex((action) => action.actionType === ActionType.CreateTimer);
    const firstWindow = run.actions
      .slice(0, timerIndex)
      .filter((action) => action.functionName === START_KEY_ROTATION);
    expect(
      firstWindow.filter((action) => action.input.key.vaultName === "kv1" && action.input.mode === "rotate"),
    ).toHaveLength(ROTATIONS_PER_VAULT_PER_WINDOW);
    expect(firstWindow.map((action) => action.input.key.keyName)).toEqual(
      expect.arrayContaining(["drifted", "busy"]),
    );
    expect(Date.parse(run.actions[timerIndex].fireAt!) - startAt.getTime()).toBeGreaterThanOrEqual(
      START_WINDOW_MS,
    );
    expect(starts).toHaveLength(dueKeys.length + 2);

    const drift = starts.find((action) => action.input.key.keyName === "drifted")!.input;
    expect(drift).toMatchObject({
      mode: "propagate",
      version: "v2",
      trigger: "ScheduledSweep",
      action: "RepairDrift",
    });
    expect(run.state.output).toMatchObject({
      assessed: keys.length,
      busy: [{ key: "kv2/busy", runningId: "r-busy" }],
      unchanged: [{ key: "kv2/fine" }],
      failed: [],
    });
    expect(run.state.output.started).toHaveLength(dueKeys.length + 1);
  });

  it("retries retirement of keys not being rotated and records every key's drift", async () => {
    const run = await runToCompletion(handler, {
      input: { reason: "schedule" },
      name: SWEEP_KEYS_ORCHESTRATION,
      startAt,
      answer: (action) =>
        action.functionName === RECORD_DRIFT && action.input.key.keyName === "due0"
          ? { failure: "Azure Resource Graph is unavailable (503)." }
          : answer(action),
    });
    const retirements = run.actions.filter((action) => action.functionName === RETIRE_PREVIOUS_VERSIONS);
    expect(retirements.map((action) => action.input)).toEqual([
      expect.objectContaining({
        vaultName: "kv2",
        keyName: "fine",
        keepVersion: "v9",
        rotationId: "retire.kv2.fine.v9",
      }),
    ]);
    expect(run.actions.filter((action) => action.functionName === RECORD_DRIFT)).toHaveLength(keys.length);
    expect(run.state.output.retired).toEqual([
      {
        key: "kv2/fine",
        disabled: [],
        kept: [{ version: "v8", reason: expect.stringContaining("Unregistered") }],
      },
    ]);
    expect(run.state.output.drift).toEqual([{ key: "kv1/drifted", open: 1, detected: 1, resolved: 0 }]);
    expect(run.state.output.failed).toEqual([
      { key: "kv1/due0", detail: expect.stringContaining("Consumers could not be checked") },
    ]);
  });

  it("retries a start the task hub refuses, lists it as failed for the next sweep, and still starts the others", async () => {
    const refused = "The Durable task hub did not start rotateKey (503); nothing was started.";
    const run = await runToCompletion(handler, {
      input: { reason: "schedule" },
      name: SWEEP_KEYS_ORCHESTRATION,
      startAt,
      answer: (action) =>
        action.functionName === START_KEY_ROTATION && action.input.key.keyName === "due1"
          ? { failure: refused }
          : answer(action),
    });
    const starts = run.actions.filter((action) => action.functionName === START_KEY_ROTATION);
    expect(starts.every((action) => action.actionType === ActionType.CallActivityWithRetry)).toBe(true);
    expect(run.state.output.failed).toEqual([
      {
        key: "kv1/due1",
        detail: expect.stringMatching(/^Rotate could not be started .*next sweep tries again\.$/),
      },
    ]);
    expect(run.state.output.started.map((entry: { key: string }) => entry.key)).not.toContain("kv1/due1");
    expect(run.state.output.started).toHaveLength(dueKeys.length);
    expect(run.state.output.busy).toEqual([{ key: "kv2/busy", runningId: "r-busy" }]);
  });

  it("gives every due key a rotation id that a second sweep would repeat", async () => {
    const first = await runToCompletion(handler, {
      input: { reason: "schedule" },
      name: SWEEP_KEYS_ORCHESTRATION,
      startAt,
      answer,
    });
    const second = await runToCompletion(handler, {
      input: { reason: "schedule" },
      name: SWEEP_KEYS_ORCHESTRATION,
      startAt: new Date(startAt.getTime() + 3_600_000),
      answer,
    });
    const rotationIds = (run: typeof first) =>
      run.actions
        .filter((action) => action.functionName === START_KEY_ROTATION && action.input.mode === "rotate")
        .map((action) => action.input.rotationId);
    expect(rotationIds(second)).toEqual(rotationIds(first));
    const again = await replay(handler, first.history, { reason: "schedule" }, "replay-instance");
    expect(again.output).toEqual(first.state.output);
  });

  it("sweeps one vault, forces every key, shows per-key progress and ends with a summary record", async () => {
    const input = { reason: "suspected leak", sweepId: "s1", trigger: "Http", vaultName: "KV2", force: true };
    const run = await runToCompletion(handler, {
      input,
      name: SWEEP_KEYS_ORCHESTRATION,
      startAt,
      instanceId: "sweep:s1",
      answer,
    });
    const assessed = run.actions.filter((action) => action.functionName === ASSESS_KEY);
    expect(assessed.map((action) => action.input)).toEqual([
      expect.objectContaining({ key: { vaultName: "kv2", keyName: "fine" }, force: true }),
      expect.objectContaining({ key: { vaultName: "kv2", keyName: "busy" }, force: true }),
    ]);
    const [record] = run.actions.filter((action) => action.functionName === RECORD_SWEEP);
    expect(record.actionType).toBe(ActionType.CallActivityWithRetry);
    expect(record.input).toMatchObject({
      id: "s1",
      status: "Completed",
      reason: "suspected leak",
      trigger: "Http",
      vaultName: "KV2",
      force: true,
      counts: { Unchanged: 1, Busy: 1 },
      waiting: [],
      failed: [],
    });
    expect(run.state.output.sweepId).toBe("s1");
    const firstProgress = run.customStatuses.find((status) => status?.step === "AssessingKeys");
    expect(firstProgress).toMatchObject({
      sweepId: "s1",
      counts: { Pending: 2 },
      waiting: ["kv2/fine", "kv2/busy"],
    });
    expect(run.customStatuses.at(-1)).toMatchObject({ step: "Done", counts: { Unchanged: 1, Busy: 1 } });
  });

  it("lists keys waiting for their window while earlier windows start, and a failed start never holds up the others", async () => {
    const run = await runToCompletion(handler, {
      input: { reason: "now", sweepId: "s2", trigger: "Http" },
      name: SWEEP_KEYS_ORCHESTRATION,
      startAt,
      answer: (action) =>
        action.functionName === START_KEY_ROTATION && action.input.key.keyName === "due0"
          ? { failure: "The Durable task hub did not start rotateKey (503)." }
          : answer(action),
    });
    const waitingWhileStarting = run.customStatuses.filter(
      (status) => status?.step === "StartingRotations" && status.waiting.length > 0,
    );
    expect(waitingWhileStarting.at(-1).waiting).toEqual(["kv1/due5", "kv1/due6"]);
    const [record] = run.actions.filter((action) => action.functionName === RECORD_SWEEP);
    expect(record.input).toMatchObject({
      status: "PartiallyApplied",
      counts: { Started: dueKeys.length - 1 + 1, Failed: 1, Busy: 1, Unchanged: 1 },
      waiting: [],
      failed: [{ key: "kv1/due0", detail: expect.stringContaining("could not be started") }],
    });
  });

  it("takes the sweep id from a sweep:<id> instance when the input has none", async () => {
    const run = await runToCompletion(handler, {
      input: { reason: "schedule" },
      name: SWEEP_KEYS_ORCHESTRATION,
      startAt,
      instanceId: "sweep:abc",
      answer,
    });
    expect(run.actions.find((action) => action.functionName === RECORD_SWEEP)?.input).toMatchObject({
      id: "abc",
      trigger: "Schedule",
    });
  });
});
