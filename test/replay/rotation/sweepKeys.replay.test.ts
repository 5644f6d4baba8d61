// Replays the sweepKeys orchestration: one Resource Graph snapshot, batched assessment, turns within Azure's limits
// handed out a window at a time, headroom lowering the model, drift repairs, busy keys, failures that hold up no one.
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
  ASSESS_KEYS,
  FIND_CONSUMERS,
  LIST_BOUND_KEYS,
  RECORD_DRIFT,
  RECORD_SWEEP,
  START_KEY_ROTATION,
  SWEEP_KEYS_ORCHESTRATION,
} from "../../../src/orchestrations/sweepKeys/activityNames";
import {
  ASSESS_CONCURRENCY,
  AZURE_LIMITS,
  START_LEAD_MS,
  TURN_WINDOW_MS,
} from "../../../src/orchestrations/sweepKeys/limits";
import { LimitModel } from "../../../src/orchestrations/sweepKeys/limitModel";
import type { BoundKey, KeyAssessment, SweepKey } from "../../../src/orchestrations/sweepKeys/types";
import { assessmentCost, driftCheckCost, rotationCost } from "../../../src/orchestrations/sweepKeys/workCost";

const startAt = new Date("2026-12-01T00:00:00Z");
const SUB = "00000000-0000-4000-8000-00000000c0de";
let app: CapturedApp;
let handler: (trigger: unknown, context: unknown) => any;

beforeAll(async () => {
  app = await captureFunctions(() => import("../../../src/orchestrations/sweepKeys/index.js"));
  handler = app.get(SWEEP_KEYS_ORCHESTRATION).callback as typeof handler;
});

/** Each key's 3 pinned storage accounts, in one subscription. */
const accountsOf = (key: SweepKey) =>
  [0, 1, 2].map((index) => ({
    kind: "storageAccount" as const,
    mode: "pinned" as const,
    resourceId: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st${key.keyName}${index}`,
  }));
const bound = (key: SweepKey): BoundKey => ({
  ...key,
  assessmentCost: assessmentCost(accountsOf(key)),
  driftCheckCost: driftCheckCost(accountsOf(key)),
});

/** Enough due keys that Storage's provider (10 writes, then 10 per s) needs more than one window of turns. */
const dueKeys: SweepKey[] = Array.from({ length: 40 }, (_, index) => ({
  vaultName: index % 2 === 0 ? "kv1" : "kv3",
  keyName: `due${index}`,
}));
const keys: SweepKey[] = [
  ...dueKeys,
  { vaultName: "kv1", keyName: "drifted" },
  { vaultName: "kv2", keyName: "fine" },
  { vaultName: "kv2", keyName: "busy" },
];
const snapshot = {
  consumers: [
    ...accountsOf(dueKeys[0]).map((target) => ({
      ...target,
      vaultName: "kv1",
      keyName: "due0",
      reference: { keyName: "due0", configuredVersion: "v1" },
    })),
    {
      kind: "storageAccount",
      mode: "versionless",
      resourceId: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/stunbound`,
      vaultName: "KV1",
      keyName: "DUE0",
      reference: { keyName: "due0" },
    },
  ],
};

function assess(key: SweepKey, force: boolean): KeyAssessment {
  const cost = (isNewVersion: boolean) =>
    rotationCost({ vaultName: key.vaultName, isNewVersion, targets: accountsOf(key) });
  if (key.keyName.startsWith("due") || key.keyName === "busy" || force)
    return { key, action: "Rotate", detail: "Due (RotateEvery).", currentVersion: "v1", cost: cost(true) };
  if (key.keyName === "drifted")
    return {
      key,
      action: "RepairDrift",
      detail: "st1 is on v1, not v2.",
      currentVersion: "v2",
      cost: cost(false),
    };
  return { key, action: "None", detail: "Up to date.", currentVersion: "v9", retirementDue: true };
}

function answer(action: ScheduledAction): ActivityAnswer {
  switch (action.functionName) {
    case LIST_BOUND_KEYS:
      return { result: { keys: keys.map(bound) } };
    case FIND_CONSUMERS:
      return { result: snapshot };
    case ASSESS_KEYS:
      return {
        result: {
          assessments: action.input.keys.map((key: SweepKey) => assess(key, action.input.force === true)),
        },
      };
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

const startsOf = (run: { actions: ScheduledAction[] }) =>
  run.actions.filter((action) => action.functionName === START_KEY_ROTATION);
const turnOf = (action: ScheduledAction): number => action.input.notBeforeMs as number;

describe("sweepKeys replay", () => {
  it("takes one Resource Graph snapshot, assesses in batches and gives every due key a turn inside Azure's own limits", async () => {
    const run = await runToCompletion(handler, {
      input: { reason: "schedule" },
      name: SWEEP_KEYS_ORCHESTRATION,
      startAt,
      answer,
    });
    const [first, second] = run.actions.filter((action) => action.functionName === FIND_CONSUMERS);
    expect(first.input).toEqual({ vaultNames: ["kv1", "kv3", "kv2"] });
    expect(second).toBeDefined();
    const batches = run.actions.filter((action) => action.functionName === ASSESS_KEYS);
    expect(batches).toHaveLength(Math.ceil(keys.length / ASSESS_CONCURRENCY));
    expect(batches.flatMap((batch) => batch.input.keys)).toEqual(keys);
    expect(batches.every((batch) => batch.actionType === ActionType.CallActivityWithRetry)).toBe(true);

    const starts = startsOf(run);
    expect(starts).toHaveLength(dueKeys.length + 2);
    // Vaults take turns: kv1, kv3, kv1, kv3, … (kv2's busy key after kv3's first).
    expect(starts.slice(0, 4).map((start) => start.input.key.vaultName)).toEqual([
      "kv1",
      "kv3",
      "kv2",
      "kv1",
    ]);
    const turns = starts.map(turnOf);
    expect(turns[0]).toBeGreaterThanOrEqual(startAt.getTime() + START_LEAD_MS);
    expect(turns).toEqual([...turns].sort((a, b) => a - b));
    // Spent at their turns, the rotations never exceed Azure's limits (no margin), with the reserve to spare.
    const azure = new LimitModel(AZURE_LIMITS, {
      reserveShare: 0,
      minimumReserve: 0,
      refillShare: 1,
      windowSlackMs: 0,
    });
    for (const start of starts) {
      expect(azure.earliestFit(start.input.cost, turnOf(start))).toBe(turnOf(start));
      azure.spend(start.input.cost, turnOf(start));
      expect(azure.available("storageWrites", SUB, turnOf(start))).toBeGreaterThanOrEqual(5 - 1e-6);
    }
    // 123 Storage writes at 10 per s cannot fit one window: the sweep woke for a second one.
    expect(turns.at(-1)! - turns[0]).toBeGreaterThan(TURN_WINDOW_MS);

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

  it("hands out turns a window at a time, waking just before the next turn, and lists who waits meanwhile", async () => {
    const run = await runToCompletion(handler, {
      input: { reason: "now", sweepId: "s2", trigger: "Http" },
      name: SWEEP_KEYS_ORCHESTRATION,
      startAt,
      answer,
    });
    const timers = run.actions.filter((action) => action.actionType === ActionType.CreateTimer);
    const starts = startsOf(run);
    const firstTimer = run.actions.indexOf(timers[0]);
    const firstWindow = run.actions
      .slice(0, firstTimer)
      .filter((action) => action.functionName === START_KEY_ROTATION);
    const firstWindowEnd = turnOf(firstWindow[0]) + TURN_WINDOW_MS;
    expect(firstWindow.every((start) => turnOf(start) < firstWindowEnd)).toBe(true);
    const secondWindow = starts.slice(firstWindow.length);
    expect(secondWindow.length).toBeGreaterThan(0);
    expect(Date.parse(timers[0].fireAt!)).toBe(turnOf(secondWindow[0]) - START_LEAD_MS);
    const waitingWhileStarting = run.customStatuses.filter(
      (status) => status?.step === "StartingRotations" && status.waiting.length > 0,
    );
    const laterKeys = secondWindow.map((start) => `${start.input.key.vaultName}/${start.input.key.keyName}`);
    expect(waitingWhileStarting.map((status) => [...status.waiting].sort())).toContainEqual(
      [...laterKeys].sort(),
    );
    // Retirement retries and drift checks read the same targets: after the last turn and a window more.
    const lastTurn = turnOf(starts.at(-1)!);
    const afterTurns = timers.find((timer) => Date.parse(timer.fireAt!) === lastTurn + TURN_WINDOW_MS);
    expect(afterTurns).toBeDefined();
    expect(run.actions.indexOf(afterTurns!)).toBeLessThan(
      run.actions.findIndex((action) => action.functionName === RETIRE_PREVIOUS_VERSIONS),
    );
    expect(run.customStatuses.some((status) => status?.step === "WaitingForRotations")).toBe(true);
  });

  it("lowers its model to the ARM headroom a start reports: later turns wait for what other callers spent", async () => {
    const observed = (action: ScheduledAction): ActivityAnswer => {
      const base = answer(action);
      if (action.functionName !== START_KEY_ROTATION || !("result" in base)) return base;
      // Another caller under the same principal has emptied ARM's write bucket.
      return {
        result: {
          ...(base.result as object),
          observedHeadroom: [{ subscriptionId: SUB, kind: "writes", remaining: 0, ageMs: 0 }],
        },
      };
    };
    const plain = await runToCompletion(handler, {
      input: { reason: "schedule" },
      name: SWEEP_KEYS_ORCHESTRATION,
      startAt,
      answer,
    });
    const lowered = await runToCompletion(handler, {
      input: { reason: "schedule" },
      name: SWEEP_KEYS_ORCHESTRATION,
      startAt,
      answer: observed,
    });
    const firstWindowCount = (run: typeof plain) =>
      run.actions
        .slice(
          0,
          run.actions.findIndex((action) => action.actionType === ActionType.CreateTimer),
        )
        .filter((action) => action.functionName === START_KEY_ROTATION).length;
    expect(firstWindowCount(lowered)).toBe(firstWindowCount(plain));
    const secondTurn = (run: typeof plain) => turnOf(startsOf(run)[firstWindowCount(run)]);
    // Nothing left of 200 and 40 kept in reserve: the next 3 writes wait (40 + 3) ÷ 9.5 per s after the
    // report, longer than Storage's provider alone would have made them wait.
    expect(secondTurn(lowered) - secondTurn(plain)).toBeGreaterThan(2_000);
    expect(startsOf(lowered)).toHaveLength(startsOf(plain).length);
  });

  it("passes each rotation and drift check what the snapshot found using its key, and nothing when it failed", async () => {
    const run = await runToCompletion(handler, {
      input: { reason: "schedule" },
      name: SWEEP_KEYS_ORCHESTRATION,
      startAt,
      answer,
    });
    const due0 = startsOf(run).find((start) => start.input.key.keyName === "due0")!.input;
    expect(due0.discovered).toHaveLength(4);
    expect(due0.discovered).toContainEqual({
      kind: "storageAccount",
      mode: "versionless",
      resourceId: expect.stringContaining("stunbound"),
    });
    expect(startsOf(run).find((start) => start.input.key.keyName === "due1")!.input.discovered).toEqual([]);
    const drift = run.actions.filter((action) => action.functionName === RECORD_DRIFT);
    expect(drift.find((action) => action.input.key.keyName === "due0")!.input.found).toHaveLength(4);

    const blind = await runToCompletion(handler, {
      input: { reason: "schedule" },
      name: SWEEP_KEYS_ORCHESTRATION,
      startAt,
      answer: (action) =>
        action.functionName === FIND_CONSUMERS
          ? { result: { failure: "Azure Resource Graph is unavailable (503)." } }
          : answer(action),
    });
    expect(startsOf(blind).every((start) => start.input.discovered === undefined)).toBe(true);
    expect(
      blind.actions
        .filter((action) => action.functionName === RECORD_DRIFT)
        .every((a) => a.input.found === undefined),
    ).toBe(true);
    expect(blind.state.output.failed).toEqual([]);
  });

  it("waits before an unforced batch whose drift-check reads ARM has no room for, and not when forced", async () => {
    const heavy = (key: SweepKey): BoundKey => ({
      ...key,
      assessmentCost: { charges: [{ limit: "armReads", scope: SUB, count: 150 }] },
    });
    const listing = (action: ScheduledAction): ActivityAnswer =>
      action.functionName === LIST_BOUND_KEYS ? { result: { keys: keys.map(heavy) } } : answer(action);
    const unforced = await runToCompletion(handler, {
      input: { reason: "schedule" },
      name: SWEEP_KEYS_ORCHESTRATION,
      startAt,
      answer: listing,
    });
    const beforeSecondBatch = unforced.actions.slice(
      0,
      unforced.actions.findIndex((action, index) => action.functionName === ASSESS_KEYS && index > 2),
    );
    expect(beforeSecondBatch.some((action) => action.actionType === ActionType.CreateTimer)).toBe(true);
    const forced = await runToCompletion(handler, {
      input: { reason: "leak", force: true },
      name: SWEEP_KEYS_ORCHESTRATION,
      startAt,
      answer: listing,
    });
    const untilFirstStart = forced.actions.slice(
      0,
      forced.actions.findIndex((action) => action.functionName === START_KEY_ROTATION),
    );
    expect(untilFirstStart.some((action) => action.actionType === ActionType.CreateTimer)).toBe(false);
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

  it("checks drift against its one snapshot when it started no rotation, asking Resource Graph once", async () => {
    const calm = keys.filter((key) => key.keyName === "fine");
    const run = await runToCompletion(handler, {
      input: { reason: "schedule" },
      name: SWEEP_KEYS_ORCHESTRATION,
      startAt,
      answer: (action) =>
        action.functionName === LIST_BOUND_KEYS ? { result: { keys: calm.map(bound) } } : answer(action),
    });
    expect(run.actions.filter((action) => action.functionName === FIND_CONSUMERS)).toHaveLength(1);
    expect(startsOf(run)).toEqual([]);
    expect(run.actions.filter((action) => action.functionName === RECORD_DRIFT)).toHaveLength(1);
    expect(run.state.output.started).toEqual([]);
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
    const starts = startsOf(run);
    expect(starts.every((action) => action.actionType === ActionType.CallActivityWithRetry)).toBe(true);
    expect(run.state.output.failed).toEqual([
      {
        key: "kv3/due1",
        detail: expect.stringMatching(/^Rotate could not be started .*next sweep tries again\.$/),
      },
    ]);
    expect(run.state.output.started.map((entry: { key: string }) => entry.key)).not.toContain("kv3/due1");
    expect(run.state.output.started).toHaveLength(dueKeys.length);
    expect(run.state.output.busy).toEqual([{ key: "kv2/busy", runningId: "r-busy" }]);
    const [record] = run.actions.filter((action) => action.functionName === RECORD_SWEEP);
    expect(record.input).toMatchObject({
      status: "PartiallyApplied",
      counts: { Started: dueKeys.length, Failed: 1, Busy: 1, Unchanged: 1 },
      waiting: [],
      failed: [{ key: "kv3/due1", detail: expect.stringContaining("could not be started") }],
    });
  });

  it("gives every due key a rotation id and a turn that a replay repeats", async () => {
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
      startsOf(run)
        .filter((action) => action.input.mode === "rotate")
        .map((action) => action.input.rotationId);
    expect(rotationIds(second)).toEqual(rotationIds(first));
    expect(startsOf(second).map((start) => turnOf(start) - 3_600_000)).toEqual(startsOf(first).map(turnOf));
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
    expect(run.actions.find((action) => action.functionName === FIND_CONSUMERS)?.input).toEqual({
      vaultNames: ["kv2"],
    });
    const [batch] = run.actions.filter((action) => action.functionName === ASSESS_KEYS);
    expect(batch.input).toMatchObject({
      keys: [
        { vaultName: "kv2", keyName: "fine" },
        { vaultName: "kv2", keyName: "busy" },
      ],
      force: true,
    });
    const [record] = run.actions.filter((action) => action.functionName === RECORD_SWEEP);
    expect(record.actionType).toBe(ActionType.CallActivityWithRetry);
    expect(record.input).toMatchObject({
      id: "s1",
      status: "Completed",
      reason: "suspected leak",
      trigger: "Http",
      vaultName: "KV2",
      force: true,
      counts: { Started: 1, Busy: 1 },
      waiting: [],
      failed: [],
    });
    expect(run.state.output.sweepId).toBe("s1");
    const firstProgress = run.customStatuses.find((status) => status?.step === "FindingConsumers");
    expect(firstProgress).toMatchObject({
      sweepId: "s1",
      counts: { Pending: 2 },
      waiting: ["kv2/fine", "kv2/busy"],
    });
    expect(run.customStatuses.at(-1)).toMatchObject({ step: "Done", counts: { Started: 1, Busy: 1 } });
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
