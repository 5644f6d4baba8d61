// Replays rotateKey histories through the real durable-functions wrapper: success, failing target, linked pinned policy, retirement, determinism.
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
import {
  CREATE_KEY_VERSION,
  LOAD_ROTATION_PLAN,
  PROPAGATE_TO_TARGET,
  PUBLISH_OUTCOME,
  RECORD_ROTATION,
  RECORD_TARGET_ATTEMPTS,
  RETIRE_PREVIOUS_VERSIONS,
  ROTATE_KEY_ORCHESTRATION,
  VERIFY_TARGET,
} from "../../../src/orchestrations/rotateKey/activityNames";
import type { TargetAttempt } from "../../../src/lib/audit";
import type {
  RotateKeyInput,
  RotationPlan,
  TargetAttemptResult,
  TargetRef,
} from "../../../src/orchestrations/rotateKey/types";

const DAY_MS = 86_400_000;
const startAt = new Date("2026-11-29T10:00:00Z");
const createdOnMs = startAt.getTime() + 2_000;

const pinnedStorage: TargetRef = {
  kind: "storageAccount",
  resourceId: "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/stpinned",
  mode: "pinned",
};
const versionlessStorage: TargetRef = {
  ...pinnedStorage,
  resourceId: pinnedStorage.resourceId.replace("stpinned", "stauto"),
  mode: "versionless",
};
const linkedPinnedPolicy: TargetRef = {
  kind: "powerPlatformPolicy",
  resourceId:
    "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.PowerPlatform/enterprisePolicies/ep-cmk",
  mode: "pinned",
};

const input: RotateKeyInput = {
  rotationId: "rot-1",
  vaultName: "kv1",
  keyName: "cmk",
  trigger: "Http",
  reason: "replay test",
  mode: "rotate",
};

function planFor(targets: TargetRef[], overrides: Partial<RotationPlan> = {}): RotationPlan {
  return {
    keyId: "https://kv1.vault.azure.net/keys/cmk",
    previousVersion: "v1",
    targets,
    retireAfter: "P30D",
    ...overrides,
  };
}

/** Answers activities like healthy services would, with per-target overrides. */
function answers(
  plan: RotationPlan,
  perTarget: (target: TargetRef, attempt: number) => TargetAttemptResult = () => ({
    outcome: "done",
    status: "Verified",
    detail: "ok",
  }),
) {
  return (action: ScheduledAction): ActivityAnswer => {
    switch (action.functionName) {
      case LOAD_ROTATION_PLAN:
        return { result: plan };
      case CREATE_KEY_VERSION:
        return { result: { version: "v2", createdOnMs } };
      case PROPAGATE_TO_TARGET:
      case VERIFY_TARGET:
        return { result: perTarget(action.input.target, action.input.attempt) };
      case RECORD_ROTATION:
      case RECORD_TARGET_ATTEMPTS:
      case PUBLISH_OUTCOME:
        return { result: null };
      case RETIRE_PREVIOUS_VERSIONS:
        return { result: { disabledVersions: ["v1"], retainedVersions: [] } };
      default:
        throw new Error(`unexpected activity ${action.functionName}`);
    }
  };
}

/** Runs rotateKey to completion from `startAt`, activities answered by `answer`. */
const rotate = (
  answer: (action: ScheduledAction, sequence: number) => ActivityAnswer,
  runInput: unknown = input,
) => runToCompletion(handler, { input: runInput, name: ROTATE_KEY_ORCHESTRATION, startAt, answer });

const names = (actions: ScheduledAction[]) =>
  actions.map((action) => action.functionName ?? `timer@${action.fireAt}`);

let app: CapturedApp;
let handler: (trigger: unknown, context: unknown) => any;

beforeAll(async () => {
  app = await captureFunctions(() => import("../../../src/orchestrations/rotateKey/index.js"));
  handler = app.get(ROTATE_KEY_ORCHESTRATION).callback as typeof handler;
});

describe("rotateKey replay", () => {
  it("is registered as an orchestration trigger", () => {
    expect(app.get(ROTATE_KEY_ORCHESTRATION).metadata).toMatchObject({
      bindings: expect.objectContaining({}),
    });
  });

  it("rotates, updates every target in parallel, records, publishes and retires after retireAfter", async () => {
    const plan = planFor([pinnedStorage, linkedPinnedPolicy]);
    const run = await rotate(answers(plan));
    expect(run.state.isDone).toBe(true);
    expect(names(run.actions)).toEqual([
      LOAD_ROTATION_PLAN,
      // The creation first: it is on the critical path, the first record is not.
      CREATE_KEY_VERSION,
      RECORD_ROTATION,
      PROPAGATE_TO_TARGET,
      PROPAGATE_TO_TARGET,
      RECORD_ROTATION,
      PUBLISH_OUTCOME,
      `timer@${new Date(createdOnMs + 30 * DAY_MS).toISOString()}`,
      RETIRE_PREVIOUS_VERSIONS,
    ]);
    // Both targets were scheduled in the same episode (fan-out), not one after the other.
    const fanOutEpisode = run.customStatuses.findIndex((status) => status?.step === "UpdatingTargets");
    expect(fanOutEpisode).toBeGreaterThan(0);
    const finalRecord = run.actions.filter((action) => action.functionName === RECORD_ROTATION)[1].input;
    expect(finalRecord).toMatchObject({
      status: "Completed",
      newVersion: "v2",
      previousVersion: "v1",
      trigger: "Http",
    });
    expect(run.actions[1].input).toMatchObject({ rotationId: "rot-1", vaultName: "kv1", keyName: "cmk" });
    const retirement = run.actions.at(-1)!.input;
    expect(retirement).toMatchObject({ keepVersion: "v2", targets: plan.targets });
    expect(retirement.nowMs).toBeGreaterThanOrEqual(createdOnMs + 30 * DAY_MS);
    expect(run.state.output).toMatchObject({ status: "Completed", retirement: { disabledVersions: ["v1"] } });
  });

  it("waits for the turn a sweep gave it before it reads anything, and hands the snapshot's consumers to its plan", async () => {
    const plan = planFor([pinnedStorage]);
    const notBeforeMs = startAt.getTime() + 7_500;
    const discovered = [pinnedStorage, versionlessStorage];
    const run = await rotate(answers(plan), { ...input, trigger: "ScheduledSweep", notBeforeMs, discovered });
    expect(names(run.actions).slice(0, 2)).toEqual([
      `timer@${new Date(notBeforeMs).toISOString()}`,
      LOAD_ROTATION_PLAN,
    ]);
    expect(run.customStatuses[0]).toMatchObject({ step: "WaitingForTurn", status: "Running" });
    expect(run.actions[1].input).toMatchObject({ discovered, notBeforeMs });
    expect(run.actions[1].input.nowMs).toBeGreaterThanOrEqual(notBeforeMs);
    // A turn already past (a late start) waits for nothing.
    const late = await rotate(answers(plan), { ...input, notBeforeMs: startAt.getTime() - 1 });
    expect(names(late.actions)[0]).toBe(LOAD_ROTATION_PLAN);
  });

  it("shows the step and each target's state in custom status while waiting to retire", async () => {
    const plan = planFor([pinnedStorage]);
    const run = await rotate(answers(plan));
    const waiting = run.customStatuses.find((status) => status?.step === "WaitingToRetire");
    expect(waiting).toMatchObject({
      rotationId: "rot-1",
      status: "Completed",
      newVersion: "v2",
      retireNotBefore: new Date(createdOnMs + 30 * DAY_MS).toISOString(),
      targets: [{ resourceId: pinnedStorage.resourceId, status: "Verified" }],
    });
  });

  it("retries a throttled target no sooner than Retry-After, then marks it Failed: PartiallyApplied", async () => {
    const plan = planFor([pinnedStorage, versionlessStorage]);
    const run = await rotate(
      answers(plan, (target) =>
        target.mode === "pinned"
          ? {
              outcome: "retry",
              detail: "Azure Resource Manager is throttling requests",
              retryAfterMs: 120_000,
            }
          : { outcome: "done", status: "Verified", detail: "ok" },
      ),
    );
    const attempts = run.actions.filter(
      (action) => action.functionName === PROPAGATE_TO_TARGET && action.input.target.mode === "pinned",
    );
    expect(attempts.map((action) => action.input.attempt)).toEqual([1, 2, 3, 4, 5]);
    for (let index = 1; index < attempts.length; index += 1) {
      expect(attempts[index].input.nowMs - attempts[index - 1].input.nowMs).toBeGreaterThanOrEqual(120_000);
    }
    const finalRecord = run.actions.filter((action) => action.functionName === RECORD_ROTATION).at(-1)!.input;
    expect(finalRecord.status).toBe("PartiallyApplied");
    expect(finalRecord.targets.find((target: TargetRef) => target.mode === "pinned")).toMatchObject({
      status: "Failed",
      attempts: 5,
      detail: expect.stringContaining("Gave up after 5 attempts"),
    });
  });

  it("writes each round's attempt rows once the round is in, not from inside the target activities", async () => {
    const plan = planFor([pinnedStorage, versionlessStorage]);
    const row = (
      target: TargetRef,
      step: TargetAttempt["step"],
      attempt: number,
      status: TargetAttempt["status"],
    ): TargetAttempt => ({
      operationId: "rot-1",
      resourceId: target.resourceId,
      kind: target.kind,
      mode: target.mode,
      step,
      attempt,
      status,
      detail: status,
      atMs: 0,
    });
    const run = await rotate(
      answers(plan, (target, attempt): TargetAttemptResult => {
        if (target.mode === "pinned" && attempt === 1) {
          return {
            outcome: "retry",
            detail: "throttled",
            retryAfterMs: 60_000,
            records: [row(target, "apply", attempt, "Failed")],
          };
        }
        return {
          outcome: "done",
          status: "Verified",
          detail: "ok",
          records: [row(target, "apply", attempt, "Applied"), row(target, "verify", attempt, "Verified")],
        };
      }),
    );
    const written = run.actions.filter((action) => action.functionName === RECORD_TARGET_ATTEMPTS);
    // Round 1: the pinned account's failed apply and the versionless account's two rows; round 2: the retry's two rows.
    expect(written.map((action) => action.input.records.length)).toEqual([3, 2]);
    expect(written[0].input.records.map((record: { step: string }) => record.step)).toEqual([
      "apply",
      "apply",
      "verify",
    ]);
    expect(written[0].actionType).toBe(ActionType.CallActivityWithRetry);
    // Each round's rows are written before the retry timer and before the outcome record.
    const order = names(run.actions);
    expect(order.indexOf(RECORD_TARGET_ATTEMPTS)).toBeLessThan(
      order.findIndex((name) => name.startsWith("timer@")),
    );
    expect(order.lastIndexOf(RECORD_TARGET_ATTEMPTS)).toBeLessThan(order.lastIndexOf(RECORD_ROTATION));
  });

  it("keeps the result of an attempt that reported when another target's activity crashed", async () => {
    const plan = planFor([pinnedStorage, linkedPinnedPolicy]);
    const run = await rotate((action) =>
      action.functionName === PROPAGATE_TO_TARGET &&
      action.input.target.kind === "powerPlatformPolicy" &&
      action.input.attempt === 1
        ? { failure: "The worker process exited." }
        : answers(plan)(action),
    );
    const attempts = run.actions.filter((action) => action.functionName === PROPAGATE_TO_TARGET);
    expect(attempts.map((action) => [action.input.target.kind, action.input.attempt])).toEqual([
      ["storageAccount", 1],
      ["powerPlatformPolicy", 1],
      ["powerPlatformPolicy", 2],
    ]);
    expect(run.state.output).toMatchObject({ status: "Completed" });
  });

  it("ends Failed without retiring when no target took the version", async () => {
    const plan = planFor([pinnedStorage]);
    const run = await rotate(
      answers(plan, () => ({ outcome: "done", status: "Failed", detail: "403 from ARM" })),
    );
    expect(run.state.output).toMatchObject({ status: "Failed" });
    expect(names(run.actions)).not.toContain(RETIRE_PREVIOUS_VERSIONS);
  });

  it("leaves a linked pinned policy for manual action: PartiallyApplied, retirement still respects pins", async () => {
    const plan = planFor([pinnedStorage, linkedPinnedPolicy], { retireAfter: "P28D" });
    const run = await rotate(
      answers(plan, (target) =>
        target.kind === "powerPlatformPolicy"
          ? {
              outcome: "done",
              status: "ActionRequired",
              detail: "Unlink the policy from its environments, then set key version v2.",
            }
          : { outcome: "done", status: "Verified", detail: "ok" },
      ),
    );
    expect(run.state.output).toMatchObject({ status: "PartiallyApplied" });
    const policyState = run.state.output.targets.find(
      (target: TargetRef) => target.kind === "powerPlatformPolicy",
    );
    expect(policyState).toMatchObject({
      status: "ActionRequired",
      detail: expect.stringContaining("Unlink"),
    });
    const retirement = run.actions.find((action) => action.functionName === RETIRE_PREVIOUS_VERSIONS)!;
    expect(retirement.input.targets).toContainEqual(linkedPinnedPolicy);
  });

  it("watches a versionless storage account hourly until it picks up the version", async () => {
    const plan = planFor([versionlessStorage]);
    let checks = 0;
    const run = await rotate(
      answers(plan, () => {
        checks += 1;
        return checks < 4
          ? { outcome: "done", status: "Verifying", detail: "still on v1" }
          : { outcome: "done", status: "Verified", detail: "now on v2" };
      }),
    );
    const watchTimers = run.actions.filter(
      (action, index) =>
        action.actionType === ActionType.CreateTimer &&
        run.actions[index + 1]?.functionName === VERIFY_TARGET,
    );
    expect(watchTimers).toHaveLength(3);
    expect(run.state.output).toMatchObject({ status: "Completed" });
  });

  it("gives up on a versionless account after 26 h", async () => {
    const plan = planFor([versionlessStorage]);
    const run = await rotate(
      answers(plan, () => ({ outcome: "done", status: "Verifying", detail: "still on v1" })),
    );
    expect(run.actions.filter((action) => action.functionName === VERIFY_TARGET)).toHaveLength(26);
    expect(run.state.output).toMatchObject({
      status: "Failed",
      targets: [{ detail: expect.stringContaining("after 26 h") }],
    });
  });

  it("propagates a version made elsewhere without creating one", async () => {
    const plan = planFor([pinnedStorage], { versionCreatedOnMs: createdOnMs });
    const run = await rotate(answers(plan), {
      ...input,
      mode: "propagate",
      version: "v9",
      trigger: "KeyNewVersionCreated",
    });
    expect(names(run.actions)).not.toContain(CREATE_KEY_VERSION);
    expect(run.actions.find((action) => action.functionName === PROPAGATE_TO_TARGET)!.input.version).toBe(
      "v9",
    );
  });

  it("refuses early and records Skipped with the reason", async () => {
    const plan = planFor([], {
      refusal: { code: "BindingNotFound", reason: "No bindings are registered for kv1/cmk." },
    });
    const run = await rotate(answers(plan));
    expect(names(run.actions)).toEqual([LOAD_ROTATION_PLAN, RECORD_ROTATION, PUBLISH_OUTCOME]);
    expect(run.actions[1].input).toMatchObject({
      status: "Skipped",
      detail: expect.stringContaining("No bindings"),
    });
  });

  it("records Failed when the version cannot be created", async () => {
    const plan = planFor([pinnedStorage]);
    const healthy = answers(plan);
    const run = await rotate((action) =>
      action.functionName === CREATE_KEY_VERSION ? { failure: "Key Vault refused access" } : healthy(action),
    );
    expect(run.state.output).toMatchObject({ status: "Failed" });
    expect(names(run.actions)).not.toContain(PROPAGATE_TO_TARGET);
  });

  it("stops at once, Skipped, when the key refuses a new version (e.g. being revoked)", async () => {
    const plan = planFor([pinnedStorage]);
    const healthy = answers(plan);
    const run = await rotate((action) =>
      action.functionName === CREATE_KEY_VERSION
        ? { result: { refusal: { code: "KeyRevoked", reason: "Key kv1/cmk is being revoked." } } }
        : healthy(action),
    );
    expect(run.state.output).toMatchObject({ status: "Skipped" });
    expect(names(run.actions).filter((name) => name === CREATE_KEY_VERSION)).toHaveLength(1);
    expect(names(run.actions)).not.toContain(PROPAGATE_TO_TARGET);
    expect(run.actions.at(-2)!.input).toMatchObject({
      status: "Skipped",
      detail: expect.stringContaining("KeyRevoked"),
    });
  });

  it("sends no reference read ahead: each attempt reads its target right before writing it", async () => {
    const plan = planFor([pinnedStorage]);
    let calls = 0;
    const run = await rotate(
      answers(plan, () =>
        ++calls === 1
          ? { outcome: "retry", detail: "429" }
          : { outcome: "done", status: "Verified", detail: "ok" },
      ),
    );
    const writes = run.actions.filter((action) => action.functionName === PROPAGATE_TO_TARGET);
    expect(writes).toHaveLength(2);
    for (const write of writes)
      expect(Object.keys(write.input).sort()).toEqual([
        "attempt",
        "keyName",
        "nowMs",
        "rotationId",
        "target",
        "vaultName",
        "version",
      ]);
  });

  it("skips the load step a door already did", async () => {
    const plan = planFor([pinnedStorage]);
    const run = await rotate(answers(plan), { ...input, plan });
    expect(names(run.actions).slice(0, 3)).toEqual([
      CREATE_KEY_VERSION,
      RECORD_ROTATION,
      PROPAGATE_TO_TARGET,
    ]);
    expect(run.state.output).toMatchObject({ status: "Completed" });
  });

  it("says in its record what it went ahead without (an unreadable rotation policy)", async () => {
    const warning =
      "The rotation policy of kv1/cmk could not be read (403), so the new version gets no expiry.";
    const plan = planFor([pinnedStorage], { warnings: [warning] });
    const run = await rotate(answers(plan));
    const records = run.actions.filter((action) => action.functionName === RECORD_ROTATION);
    expect(records.at(-1)!.input).toMatchObject({ status: "Completed", detail: warning });
  });

  it("is deterministic: replaying the finished history gives the same actions and output", async () => {
    const plan = planFor([pinnedStorage, linkedPinnedPolicy, versionlessStorage]);
    const first = await rotate(answers(plan));
    const again = await replay(handler, first.history, input, "replay-instance");
    expect(again.actions).toEqual(first.state.actions);
    expect(again.output).toEqual(first.state.output);
    const second = await rotate(answers(plan));
    expect(second.actions).toEqual(first.actions);
  });
});
