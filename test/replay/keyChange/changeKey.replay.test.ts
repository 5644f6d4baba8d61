// Replays changeKey through the real durable-functions wrapper: both strategies, the policy's access refusal, a failed
// link mid-way, resume, revocation (decided on the refusal's code), and environments moved two at a time.
/* eslint-disable @typescript-eslint/no-explicit-any -- histories, actions and outputs are untyped wire JSON read loosely by the tests */
import { beforeAll, describe, expect, it } from "vitest";
import { HistoryEventType } from "../../../sandbox/host/durable/historyEvents";
import { decodeActionInput } from "../../../sandbox/host/durable/orchestratorActions";
import type { KeyChangeRecord } from "../../../src/lib/audit";
import type { Refusal } from "../../../src/lib/errors";
import {
  CHANGE_KEY_ORCHESTRATION,
  ENSURE_TARGET_POLICY,
  MOVE_BINDING,
  POLL_ENVIRONMENT_OPERATION,
  RECORD_KEY_CHANGE,
  START_ENVIRONMENT_OPERATION,
  SWITCH_STORAGE_ACCOUNT,
  VERIFY_ENVIRONMENT,
} from "../../../src/orchestrations/changeKey/activityNames";
import type {
  ChangeKeyInput,
  EnsurePolicyResult,
  PolledOperation,
  StartedOperation,
  SwitchStorageResult,
} from "../../../src/orchestrations/changeKey/types";
import fixture from "../../fixtures/keyChange/changeKeyInput.json";
import { captureFunctions, type CapturedApp } from "../../support/functionsCore";
import {
  ActionType,
  replay,
  runToCompletion,
  type ActivityAnswer,
  type ReplayRun,
  type ScheduledAction,
} from "../replayDriver";

const DAY_MS = 86_400_000;
const startAt = new Date("2026-12-01T09:00:00Z");
const input = fixture as ChangeKeyInput;
const [storage] = input.plan.storageAccounts;
const [oldPolicy] = input.plan.policies;
const NEW_POLICY = {
  resourceId: oldPolicy.resourceId.replace("ep-old", "ep-old-cmk-new"),
  systemId: "/regions/europe/providers/Microsoft.PowerPlatform/enterprisePolicies/sys-new",
};
const environment = (id: string) => `/providers/Microsoft.BusinessAppPlatform/environments/${id}`;
const GRANT_LINE = `az role assignment create --assignee-object-id 0000-policy --role "Key Vault Crypto Service Encryption User" --scope ${input.plan.toVaultArmId}`;
const REVOKED: Refusal = {
  code: "KeyRevoked",
  reason: "Stopped: kv-new/cmk-new is being revoked (revocation rev-9); nothing more was changed.",
};

/** The fixture with `environments` (ids) under the policy, and other input fields. */
function inputWith(environments: string[], overrides: Partial<ChangeKeyInput> = {}): ChangeKeyInput {
  return {
    ...input,
    plan: {
      ...input.plan,
      policies: [
        {
          ...oldPolicy,
          environments: environments.map((id) => ({ id, displayName: `Contoso ${id.slice(4)}` })),
        },
      ],
    },
    ...overrides,
  };
}

/** How the services answer, per environment and operation; anything left out answers as healthy services do. */
interface Script {
  switchStorage?: () => SwitchStorageResult;
  ensurePolicy?: () => EnsurePolicyResult;
  start?: (environmentId: string, operation: string) => StartedOperation | undefined;
  /** The n-th poll (1-based) of an environment's operation. */
  poll?: (environmentId: string, operation: string, n: number) => PolledOperation | undefined;
  /** An activity attempt that crashes (its worker died) instead of answering; polls get their number too. */
  crash?: (action: ScheduledAction, pollNumber?: number) => boolean;
}

/**
 * Healthy services: the PATCH verifies, the policy is ready, each link/unlink starts with Retry-After 30 s, its
 * first poll says Running (Retry-After 60 s), the second Succeeded, and each environment verifies at once.
 */
function answers(script: Script = {}) {
  const polls = new Map<string, number>();
  const operationOf = (action: ScheduledAction) => String(action.input.operationUrl).split("/").pop()!;
  return (action: ScheduledAction): ActivityAnswer => {
    const { input: activityInput } = action;
    let pollNumber = 0;
    if (action.functionName === POLL_ENVIRONMENT_OPERATION) {
      pollNumber = (polls.get(operationOf(action)) ?? 0) + 1;
      polls.set(operationOf(action), pollNumber);
    }
    if (script.crash?.(action, pollNumber)) return { failure: "The worker process exited." };
    switch (action.functionName) {
      case RECORD_KEY_CHANGE:
      case MOVE_BINDING:
        return { result: null };
      case SWITCH_STORAGE_ACCOUNT:
        return {
          result: script.switchStorage?.() ?? {
            isDone: true,
            detail: "Moved from cmk-old to cmk-new (version v-new-1). Verified.",
          },
        };
      case ENSURE_TARGET_POLICY:
        return {
          result: script.ensurePolicy?.() ?? {
            policy: NEW_POLICY,
            canUse: true,
            detail: "Policy ep-old-cmk-new is ready.",
          },
        };
      case START_ENVIRONMENT_OPERATION: {
        const { environmentId, operation } = activityInput;
        return {
          result: script.start?.(environmentId, operation) ?? {
            operationUrl: `https://api.bap.microsoft.com/operations/${environmentId}-${operation}`,
            retryAfterMs: 30_000,
          },
        };
      }
      case POLL_ENVIRONMENT_OPERATION: {
        const operation = operationOf(action);
        const [environmentId, operationName] = [
          operation.slice(0, operation.lastIndexOf("-")),
          operation.slice(operation.lastIndexOf("-") + 1),
        ];
        return {
          result:
            script.poll?.(environmentId, operationName, pollNumber) ??
            (pollNumber === 1 ? { state: "Running", retryAfterMs: 60_000 } : { state: "Succeeded" }),
        };
      }
      case VERIFY_ENVIRONMENT:
        return {
          result: { isDone: true, detail: `Linked to ${NEW_POLICY.resourceId} and Enabled.` },
        };
      default:
        throw new Error(`unexpected activity ${action.functionName}`);
    }
  };
}

let app: CapturedApp;
let handler: (trigger: unknown, context: unknown) => any;

beforeAll(async () => {
  app = await captureFunctions(() => import("../../../src/orchestrations/changeKey/index.js"));
  handler = app.get(CHANGE_KEY_ORCHESTRATION).callback as typeof handler;
});

/** Runs changeKey to completion from `startAt`; `inTimeOrder`: each completion arrives at its own time. */
const change = (script: Script = {}, runInput: ChangeKeyInput = input, inTimeOrder = false) =>
  runToCompletion(handler, {
    input: runInput,
    name: CHANGE_KEY_ORCHESTRATION,
    startAt,
    answer: answers(script),
    inTimeOrder,
  });

/** One scheduled action and, for a timer, how long it waits from when it was created. */
interface Step {
  action: ScheduledAction;
  waitMs?: number;
}

/**
 * Each action with its wait, read from the history: a timer's creation event carries the orchestration time it
 * was created at (the Durable runtime's own retry timers have other fire times and are never matched).
 */
function stepsOf(run: ReplayRun): Step[] {
  const created = run.history.filter((event) => event.EventType === HistoryEventType.TimerCreated);
  return run.actions.map((action) => {
    if (action.actionType !== ActionType.CreateTimer) return { action };
    const [timer] = created.splice(
      created.findIndex((event) => event.FireAt === action.fireAt),
      1,
    );
    return { action, waitMs: Date.parse(timer.FireAt!) - Date.parse(timer.Timestamp) };
  });
}

/** The calls and timers the orchestrator scheduled together in one Task.all, each described. */
function scheduledTogether(run: ReplayRun): string[][] {
  return run.state.actions
    .flat()
    .filter((action) => action.actionType === ActionType.WhenAll)
    .map((action) =>
      (action.compoundActions ?? []).map((child) =>
        child.functionName
          ? describeStep({ action: { ...child, input: decodeActionInput(child.input) } })
          : "timer",
      ),
    );
}

const shortId = (resourceId: string) => resourceId.split("/").pop();

/** Each action as a line a runbook reader recognises: the activity and what it acts on, or a timer's wait. */
function describeStep({ action, waitMs }: Step): string {
  const input = action.input;
  switch (action.functionName) {
    case undefined:
      return `wait ${waitMs! / 1000}s`;
    case RECORD_KEY_CHANGE:
      return `${RECORD_KEY_CHANGE} ${input.record.status}`;
    case SWITCH_STORAGE_ACCOUNT:
      return `${SWITCH_STORAGE_ACCOUNT} ${shortId(input.target.resourceId)}`;
    case MOVE_BINDING:
      return [
        MOVE_BINDING,
        ...(input.add ? [`+${shortId(input.add.resourceId)}`] : []),
        ...(input.remove ? [`-${shortId(input.remove)}`] : []),
      ].join(" ");
    case START_ENVIRONMENT_OPERATION:
      return `${START_ENVIRONMENT_OPERATION} ${input.operation} ${input.environmentId}`;
    case POLL_ENVIRONMENT_OPERATION:
      return `${POLL_ENVIRONMENT_OPERATION} ${shortId(input.operationUrl)}`;
    case VERIFY_ENVIRONMENT:
      return `${VERIFY_ENVIRONMENT} ${input.environmentId}`;
    default:
      return action.functionName;
  }
}

const sequence = (run: ReplayRun) => stepsOf(run).map(describeStep);
const records = (run: ReplayRun): KeyChangeRecord[] =>
  run.actions
    .filter((action) => action.functionName === RECORD_KEY_CHANGE)
    .map((action) => action.input.record);
const finalRecord = (run: ReplayRun) => records(run).at(-1)!;
const targetOf = (record: KeyChangeRecord, resourceId: string) =>
  record.targets.find((target) => target.resourceId === resourceId);

/** The documented move of one environment with healthy services: unlink, wait, link, wait, verify. */
const documentedMove = (id: string) => [
  `${START_ENVIRONMENT_OPERATION} unlink ${id}`,
  "wait 30s",
  `${POLL_ENVIRONMENT_OPERATION} ${id}-unlink`,
  "wait 60s",
  `${POLL_ENVIRONMENT_OPERATION} ${id}-unlink`,
  `${START_ENVIRONMENT_OPERATION} link ${id}`,
  "wait 30s",
  `${POLL_ENVIRONMENT_OPERATION} ${id}-link`,
  "wait 60s",
  `${POLL_ENVIRONMENT_OPERATION} ${id}-link`,
  `${VERIFY_ENVIRONMENT} ${id}`,
];
const directMove = (id: string) => documentedMove(id).slice(5);

const storageFirst = [
  `${RECORD_KEY_CHANGE} Running`,
  `${SWITCH_STORAGE_ACCOUNT} stdata`,
  `${MOVE_BINDING} +stdata -stdata`,
  ENSURE_TARGET_POLICY,
];

describe("changeKey replay", () => {
  it("is registered as an orchestration trigger", () => {
    expect(Object.values(app.get(CHANGE_KEY_ORCHESTRATION).metadata.bindings)).toContainEqual(
      expect.objectContaining({ type: "orchestrationTrigger", direction: "in" }),
    );
  });

  it("documented: storage, the new policy, then each environment unlinked and linked in turn, honouring Retry-After", async () => {
    const run = await change();
    expect(run.state.isDone).toBe(true);
    expect(sequence(run)).toEqual([
      ...storageFirst,
      ...documentedMove("env-prod"),
      `${RECORD_KEY_CHANGE} Running`,
      // The new policy is bound to the new key as soon as one environment uses it.
      `${MOVE_BINDING} +ep-old-cmk-new`,
      ...documentedMove("env-test"),
      `${RECORD_KEY_CHANGE} Running`,
      `${MOVE_BINDING} +ep-old-cmk-new -ep-old`,
      `${RECORD_KEY_CHANGE} Completed`,
    ]);
    // Every activity is retried by the Durable runtime, never by hand.
    for (const { action } of stepsOf(run).filter((step) => step.action.functionName))
      expect(action.actionType).toBe(ActionType.CallActivityWithRetry);

    const unlink = run.actions.find((action) => action.functionName === START_ENVIRONMENT_OPERATION)!;
    expect(unlink.input).toEqual({
      from: input.from,
      to: input.to,
      environmentId: "env-prod",
      operation: "unlink",
      policy: { resourceId: oldPolicy.resourceId, systemId: oldPolicy.systemId },
    });
    const link = run.actions.filter((action) => action.functionName === START_ENVIRONMENT_OPERATION)[1];
    expect(link.input).toMatchObject({ operation: "link", policy: NEW_POLICY });
    expect(run.actions.find((action) => action.functionName === SWITCH_STORAGE_ACCOUNT)!.input).toMatchObject(
      {
        changeId: "change-1",
        target: { kind: "storageAccount", resourceId: storage.resourceId, mode: "pinned" },
        toVaultUrl: input.plan.toVaultUrl,
        toVersion: "v-new-1",
      },
    );
    expect(run.actions.find((action) => action.functionName === ENSURE_TARGET_POLICY)!.input).toMatchObject({
      oldPolicyId: oldPolicy.resourceId,
      toVaultArmId: input.plan.toVaultArmId,
    });

    const last = finalRecord(run);
    expect(last).toMatchObject({
      id: "change-1",
      status: "Completed",
      strategy: "documented",
      fromKeyId: input.plan.fromKeyId,
      toKeyId: input.plan.toKeyId,
      detail: null,
    });
    expect(last.targets.map((target) => [target.kind, target.status])).toEqual([
      ["storageAccount", "Verified"],
      ["powerPlatformPolicy", "Verified"],
      ["powerPlatformEnvironment", "Verified"],
      ["powerPlatformEnvironment", "Verified"],
    ]);
    // The old key is kept 30 days after the change; only the final record carries that date.
    const finishedAtMs = Date.parse(last.finishedAt!);
    expect(Date.parse(last.oldKeyRetirableAfter!)).toBe(finishedAtMs + 30 * DAY_MS);
    const recordInputs = run.actions.filter((action) => action.functionName === RECORD_KEY_CHANGE);
    expect(recordInputs.at(-1)!.input.retirableAfterMs).toBe(finishedAtMs + 30 * DAY_MS);
    expect(recordInputs.slice(0, -1).every((action) => action.input.retirableAfterMs === undefined)).toBe(
      true,
    );
    expect(run.state.output).toEqual(last);
    expect(run.customStatuses.at(-1)).toMatchObject({ step: "Done", moved: 4, total: 4 });
  });

  it("direct: each environment is only linked to the new policy", async () => {
    const direct = { ...input, plan: { ...input.plan, strategy: "direct" as const } };
    const run = await change({}, direct);
    expect(sequence(run)).toEqual([
      ...storageFirst,
      ...directMove("env-prod"),
      `${RECORD_KEY_CHANGE} Running`,
      `${MOVE_BINDING} +ep-old-cmk-new`,
      ...directMove("env-test"),
      `${RECORD_KEY_CHANGE} Running`,
      `${MOVE_BINDING} +ep-old-cmk-new -ep-old`,
      `${RECORD_KEY_CHANGE} Completed`,
    ]);
    expect(targetOf(finalRecord(run), environment("env-prod"))).toMatchObject({
      status: "Verified",
      detail: expect.stringContaining("Enabled"),
    });
    expect(run.state.output).toMatchObject({ status: "Completed", strategy: "direct" });
  });

  it("stops at the policy step when its identity cannot use the keys yet: PartiallyApplied with the role line, no environment touched", async () => {
    const detail = `Policy ep-old-cmk-new's identity (principal 0000-policy) cannot use the keys yet. Run: ${GRANT_LINE}; then post the same key change again to resume.`;
    const run = await change({ ensurePolicy: () => ({ policy: NEW_POLICY, canUse: false, detail }) });
    expect(sequence(run)).toEqual([...storageFirst, `${RECORD_KEY_CHANGE} PartiallyApplied`]);
    const last = finalRecord(run);
    expect(last.detail).toContain(GRANT_LINE);
    expect(targetOf(last, oldPolicy.resourceId)).toMatchObject({ status: "ActionRequired", detail });
    expect(targetOf(last, environment("env-prod"))?.status).toBe("Pending");
    expect(targetOf(last, environment("env-test"))?.status).toBe("Pending");
    expect(targetOf(last, storage.resourceId)?.status).toBe("Verified");
  });

  it("stops after a failed link: the moved environment stays Verified, the rest untouched, the record says which is where", async () => {
    const threeEnvironments = inputWith(["env-prod", "env-test", "env-dev"]);
    const run = await change(
      {
        poll: (environmentId, operation, n) =>
          environmentId === "env-test" && operation === "link" && n === 2
            ? {
                state: "Failed",
                message: "EnterprisePolicyKeyInaccessible: the policy cannot reach its key.",
              }
            : undefined,
      },
      threeEnvironments,
    );
    expect(sequence(run)).toEqual([
      ...storageFirst,
      ...documentedMove("env-prod"),
      `${RECORD_KEY_CHANGE} Running`,
      `${MOVE_BINDING} +ep-old-cmk-new`,
      ...documentedMove("env-test").slice(0, -1),
      `${RECORD_KEY_CHANGE} Running`,
      `${RECORD_KEY_CHANGE} PartiallyApplied`,
    ]);
    expect(sequence(run).join("\n")).not.toContain("env-dev");
    const last = finalRecord(run);
    expect(last.status).toBe("PartiallyApplied");
    expect(targetOf(last, environment("env-prod"))?.status).toBe("Verified");
    expect(targetOf(last, environment("env-test"))).toMatchObject({
      status: "Failed",
      detail: expect.stringMatching(
        /^Unlinked, but the link to the new policy failed: EnterprisePolicyKeyInaccessible.*Microsoft-managed key/,
      ),
    });
    expect(targetOf(last, environment("env-dev"))?.status).toBe("Pending");
    expect(targetOf(last, oldPolicy.resourceId)).toMatchObject({
      status: "Failed",
      detail: `1 of 3 environments moved to ${NEW_POLICY.resourceId}.`,
    });
    expect(last.detail).toMatch(
      /^Stopped at environment Contoso test: .*Moved environments are on the new key/,
    );
    // The old policy keeps its binding: environments still use it.
    expect(sequence(run)).not.toContain(`${MOVE_BINDING} +ep-old-cmk-new -ep-old`);
  });

  it("resumes: an environment already on the new policy is recognised by the starts, nothing is repeated", async () => {
    const run = await change({
      start: (environmentId) => (environmentId === "env-prod" ? { alreadyDone: true } : undefined),
    });
    expect(sequence(run)).toEqual([
      ...storageFirst,
      `${START_ENVIRONMENT_OPERATION} unlink env-prod`,
      `${START_ENVIRONMENT_OPERATION} link env-prod`,
      `${VERIFY_ENVIRONMENT} env-prod`,
      `${RECORD_KEY_CHANGE} Running`,
      `${MOVE_BINDING} +ep-old-cmk-new`,
      ...documentedMove("env-test"),
      `${RECORD_KEY_CHANGE} Running`,
      `${MOVE_BINDING} +ep-old-cmk-new -ep-old`,
      `${RECORD_KEY_CHANGE} Completed`,
    ]);
    expect(targetOf(finalRecord(run), environment("env-prod"))?.status).toBe("Verified");
    expect(run.state.output).toMatchObject({ status: "Completed" });
  });

  describe("revocation during the change", () => {
    it("stops when the storage step is refused with KeyRevoked: no policy, no environment, only the outcome record", async () => {
      const run = await change({ switchStorage: () => ({ refusal: REVOKED }) });
      expect(sequence(run)).toEqual([
        `${RECORD_KEY_CHANGE} Running`,
        `${SWITCH_STORAGE_ACCOUNT} stdata`,
        `${RECORD_KEY_CHANGE} Failed`,
      ]);
      const last = finalRecord(run);
      expect(last.detail).toBe(
        `Stopped by a revocation of one of the keys; nothing more was changed. ${REVOKED.reason}`,
      );
      expect(targetOf(last, storage.resourceId)).toMatchObject({
        status: "Failed",
        detail: `Stays on the old key: ${REVOKED.reason}`,
      });
      expect(last.targets.filter((target) => target.status === "Pending")).toHaveLength(3);
    });

    it("stops when the policy step is refused with KeyRevoked", async () => {
      const run = await change({ ensurePolicy: () => ({ refusal: REVOKED }) });
      expect(sequence(run)).toEqual([...storageFirst, `${RECORD_KEY_CHANGE} PartiallyApplied`]);
      expect(finalRecord(run).detail).toMatch(/^Stopped by a revocation/);
    });

    it("stops between environments: the next start is refused, nothing else is started or polled", async () => {
      const run = await change({
        start: (environmentId) => (environmentId === "env-test" ? { refusal: REVOKED } : undefined),
      });
      expect(sequence(run)).toEqual([
        ...storageFirst,
        ...documentedMove("env-prod"),
        `${RECORD_KEY_CHANGE} Running`,
        `${MOVE_BINDING} +ep-old-cmk-new`,
        `${START_ENVIRONMENT_OPERATION} unlink env-test`,
        `${RECORD_KEY_CHANGE} Running`,
        `${RECORD_KEY_CHANGE} PartiallyApplied`,
      ]);
      const last = finalRecord(run);
      expect(last.detail).toMatch(/^Stopped by a revocation of one of the keys/);
      expect(targetOf(last, environment("env-prod"))?.status).toBe("Verified");
      expect(targetOf(last, environment("env-test"))).toMatchObject({
        status: "Failed",
        detail: expect.stringContaining("It stays on the old key."),
      });
    });

    it("decides on the refusal's code, not its text: another refusal that mentions a revocation stops only its own target", async () => {
      const run = await change({
        switchStorage: () => ({
          refusal: { code: "DependencyFailed", reason: "KeyRevoked: the account's key is being revoked?" },
        }),
      });
      expect(sequence(run)).toContain(ENSURE_TARGET_POLICY);
      const last = finalRecord(run);
      expect(last.status).toBe("PartiallyApplied");
      expect(targetOf(last, storage.resourceId)?.status).toBe("Failed");
      expect(targetOf(last, environment("env-test"))?.status).toBe("Verified");
      expect(last.detail).toBeNull();
    });
  });

  it("marks a storage account whose switch still fails after its retries Failed, and goes on with the policy", async () => {
    const run = await change({ crash: (action) => action.functionName === SWITCH_STORAGE_ACCOUNT });
    expect(sequence(run)).toEqual([
      `${RECORD_KEY_CHANGE} Running`,
      `${SWITCH_STORAGE_ACCOUNT} stdata`,
      ENSURE_TARGET_POLICY,
      ...documentedMove("env-prod"),
      `${RECORD_KEY_CHANGE} Running`,
      `${MOVE_BINDING} +ep-old-cmk-new`,
      ...documentedMove("env-test"),
      `${RECORD_KEY_CHANGE} Running`,
      `${MOVE_BINDING} +ep-old-cmk-new -ep-old`,
      `${RECORD_KEY_CHANGE} PartiallyApplied`,
    ]);
    expect(targetOf(finalRecord(run), storage.resourceId)).toMatchObject({
      status: "Failed",
      detail: expect.stringMatching(/^Stays on the old key: .*The worker process exited\./),
    });
  });

  describe("environments two at a time (parallelEnvironments: 2)", () => {
    const threeInParallel = inputWith(["env-prod", "env-test", "env-dev"], { parallelEnvironments: 2 });
    /** env-test's operations finish at the first poll, so it ends while env-prod is still moving. */
    const quickTest: Script = {
      poll: (environmentId) => (environmentId === "env-test" ? { state: "Succeeded" } : undefined),
    };

    it("moves two at once, starts the third as one ends, and records each as it ends", async () => {
      const run = await change(quickTest, threeInParallel);
      expect(run.state.output).toMatchObject({ status: "Completed" });
      const steps = stepsOf(run);
      const firstStart = (id: string) =>
        steps.find(
          (step) =>
            step.action.functionName === START_ENVIRONMENT_OPERATION &&
            step.action.input.environmentId === id,
        )!;
      // env-prod and env-test start together in one Task.all; env-dev only once env-test has been recorded.
      expect(scheduledTogether(run)[0]).toEqual([
        `${START_ENVIRONMENT_OPERATION} unlink env-prod`,
        `${START_ENVIRONMENT_OPERATION} unlink env-test`,
      ]);
      const testRecorded = steps.findIndex(
        (step) =>
          step.action.functionName === RECORD_KEY_CHANGE &&
          targetOf(step.action.input.record, environment("env-test"))?.status === "Verified",
      );
      expect(steps.indexOf(firstStart("env-dev"))).toBeGreaterThan(testRecorded);
      expect(maxInFlight(run)).toBe(2);
      expect(sequence(run)).toEqual([
        ...storageFirst,
        `${START_ENVIRONMENT_OPERATION} unlink env-prod`,
        `${START_ENVIRONMENT_OPERATION} unlink env-test`,
        "wait 30s",
        "wait 30s",
        `${POLL_ENVIRONMENT_OPERATION} env-prod-unlink`,
        `${POLL_ENVIRONMENT_OPERATION} env-test-unlink`,
        "wait 60s",
        `${START_ENVIRONMENT_OPERATION} link env-test`,
        `${POLL_ENVIRONMENT_OPERATION} env-prod-unlink`,
        "wait 30s",
        `${START_ENVIRONMENT_OPERATION} link env-prod`,
        `${POLL_ENVIRONMENT_OPERATION} env-test-link`,
        "wait 30s",
        `${VERIFY_ENVIRONMENT} env-test`,
        `${RECORD_KEY_CHANGE} Running`,
        `${MOVE_BINDING} +ep-old-cmk-new`,
        `${POLL_ENVIRONMENT_OPERATION} env-prod-link`,
        `${START_ENVIRONMENT_OPERATION} unlink env-dev`,
        "wait 60s",
        "wait 30s",
        `${POLL_ENVIRONMENT_OPERATION} env-prod-link`,
        `${POLL_ENVIRONMENT_OPERATION} env-dev-unlink`,
        `${VERIFY_ENVIRONMENT} env-prod`,
        "wait 60s",
        `${RECORD_KEY_CHANGE} Running`,
        `${POLL_ENVIRONMENT_OPERATION} env-dev-unlink`,
        ...documentedMove("env-dev").slice(5),
        `${RECORD_KEY_CHANGE} Running`,
        `${MOVE_BINDING} +ep-old-cmk-new -ep-old`,
        `${RECORD_KEY_CHANGE} Completed`,
      ]);
      // Records are written one at a time, each with every environment that ended before it.
      const verifiedCounts = records(run).map(
        (record) =>
          record.targets.filter(
            (target) => target.kind === "powerPlatformEnvironment" && target.status === "Verified",
          ).length,
      );
      expect(verifiedCounts).toEqual([0, 1, 2, 3, 3]);
    });

    it("stops starting new ones after a failure, while the one already moving finishes and is recorded", async () => {
      const run = await change(
        {
          poll: (environmentId, operation, n) =>
            environmentId === "env-prod" && operation === "unlink" && n === 1
              ? { state: "Failed", message: "The environment is not a Managed Environment." }
              : undefined,
        },
        threeInParallel,
      );
      expect(sequence(run).join("\n")).not.toContain("env-dev");
      const last = finalRecord(run);
      expect(targetOf(last, environment("env-prod"))).toMatchObject({
        status: "Failed",
        detail: expect.stringContaining("Unlink from the old policy failed"),
      });
      expect(targetOf(last, environment("env-test"))?.status).toBe("Verified");
      expect(targetOf(last, environment("env-dev"))?.status).toBe("Pending");
      expect(last.detail).toMatch(/^Stopped at environment Contoso prod/);
      expect(last.status).toBe("PartiallyApplied");
      // env-test's end was recorded on its own, after env-prod's.
      expect(records(run).map((record) => targetOf(record, environment("env-test"))?.status)).toEqual([
        "Pending",
        "Pending",
        "Verified",
        "Verified",
      ]);
    });

    it("gives an activity that crashed back to its own environment; the other, mid-wait, finishes", async () => {
      const run = await change(
        {
          ...quickTest,
          start: (environmentId, operation) =>
            environmentId === "env-test" && operation === "link"
              ? {
                  operationUrl: "https://api.bap.microsoft.com/operations/env-test-link",
                  retryAfterMs: 600_000,
                }
              : undefined,
          // env-prod's second unlink poll (and each retry of it) crashes while env-test waits on its link.
          crash: (action, pollNumber) =>
            action.functionName === POLL_ENVIRONMENT_OPERATION &&
            action.input.operationUrl.endsWith("/env-prod-unlink") &&
            pollNumber! >= 2,
        },
        threeInParallel,
        true,
      );
      const last = finalRecord(run);
      expect(targetOf(last, environment("env-prod"))).toMatchObject({
        status: "Failed",
        detail: expect.stringContaining("The worker process exited."),
      });
      expect(targetOf(last, environment("env-test"))?.status).toBe("Verified");
      expect(targetOf(last, environment("env-dev"))?.status).toBe("Pending");
      // The round with the crash also held env-test's 10-minute wait: waited for on its own, not scheduled again.
      const steps = sequence(run);
      expect(steps.filter((step) => step === "wait 600s")).toHaveLength(1);
      // Its second poll crashed on every attempt (retried by the runtime, not scheduled again).
      expect(steps.filter((step) => step === `${POLL_ENVIRONMENT_OPERATION} env-prod-unlink`)).toHaveLength(
        2,
      );
      expect(steps.slice(steps.indexOf("wait 600s"))).toEqual([
        "wait 600s",
        // env-prod's end is recorded as soon as the round is in, before env-test takes its next step.
        `${RECORD_KEY_CHANGE} Running`,
        `${POLL_ENVIRONMENT_OPERATION} env-test-link`,
        `${VERIFY_ENVIRONMENT} env-test`,
        `${RECORD_KEY_CHANGE} Running`,
        `${MOVE_BINDING} +ep-old-cmk-new`,
        `${RECORD_KEY_CHANGE} PartiallyApplied`,
      ]);
      const again = await replay(handler, run.history, threeInParallel, "replay-instance");
      expect(again.actions).toEqual(run.state.actions);
    });

    it("schedules with parallelEnvironments 1 exactly what an instance started without the setting does", async () => {
      const withoutSetting = inputWith(["env-prod", "env-test", "env-dev"]);
      const one = await change(quickTest, { ...withoutSetting, parallelEnvironments: 1 });
      const absent = await change(quickTest, withoutSetting);
      expect(one.actions).toEqual(absent.actions);
      expect(maxInFlight(absent)).toBe(1);
    });

    it("is deterministic: replaying the finished history gives the same actions and output", async () => {
      const first = await change(quickTest, threeInParallel);
      const again = await replay(handler, first.history, threeInParallel, "replay-instance");
      expect(again.actions).toEqual(first.state.actions);
      expect(again.output).toEqual(first.state.output);
      const second = await change(quickTest, threeInParallel);
      expect(second.actions).toEqual(first.actions);
    });
  });
});

/** The most environments between their first start and their verification at any one time. */
function maxInFlight(run: ReplayRun): number {
  const steps = stepsOf(run);
  const spans = new Map<string, { first: number; last: number }>();
  steps.forEach(({ action }, index) => {
    const id = action.input?.environmentId as string | undefined;
    if (!id || !action.functionName) return;
    const span = spans.get(id) ?? { first: index, last: index };
    spans.set(id, { first: span.first, last: index });
  });
  return Math.max(
    ...steps.map(
      (_, index) => [...spans.values()].filter((span) => span.first <= index && index <= span.last).length,
    ),
  );
}
