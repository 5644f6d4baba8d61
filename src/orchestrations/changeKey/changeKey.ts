// The changeKey orchestration: the runbook for moving every consumer of one key to a different key.
import type { OrchestrationContext } from "durable-functions";
import { keyChangeInstanceId } from "../../lib/keys";
import { KEY_CHANGE_RETENTION_MS } from "../../lib/keyChanges/retention";
import type { PlannedPolicy } from "../../lib/keyChanges/types";
import type { Refusal } from "../../lib/errors";
import { errorText, isoNow, nowMs, routineRetry, type Steps } from "../orchestrationSupport";
import { runSideBySide } from "../sideBySide";
import {
  ENSURE_TARGET_POLICY,
  MOVE_BINDING,
  RECORD_KEY_CHANGE,
  SWITCH_STORAGE_ACCOUNT,
  VERIFY_ENVIRONMENT,
} from "./activityNames";
import { moveEnvironment, type MoveResult } from "./environmentMove";
import { environmentResourceId, KeyChangeRun } from "./keyChangeRun";
import type {
  ChangeKeyInput,
  EnsurePolicyInput,
  EnsurePolicyResult,
  MoveBindingInput,
  Refused,
  StepResult,
  SwitchStorageInput,
  SwitchStorageResult,
  TargetPolicy,
} from "./types";

export function* changeKey(context: OrchestrationContext): Steps<ReturnType<KeyChangeRun["record"]>> {
  const input = context.df.getInput<ChangeKeyInput>();
  const run = new KeyChangeRun(context, input);

  run.show("Recording");
  yield* record(context, run);

  run.show("Storage");
  let isStopped = yield* moveStorageAccounts(context, run);

  run.show("PowerPlatform");
  for (const policy of input.plan.policies) {
    if (isStopped) break;
    isStopped = yield* movePolicy(context, run, policy);
  }

  run.show("RecordingOutcome");
  run.status = outcomeOf(run);
  run.finishedAt = isoNow(context);
  // The old key is never touched by the change; its versions may be retired 30 days after it, and only
  // when discovery finds nothing still using them (the retirement activity checks both).
  run.oldKeyRetirableAfter = new Date(nowMs(context) + KEY_CHANGE_RETENTION_MS).toISOString();
  yield* record(context, run, nowMs(context) + KEY_CHANGE_RETENTION_MS);
  run.show("Done");
  return run.record();
}

function outcomeOf(run: KeyChangeRun): KeyChangeRun["status"] {
  const moved = run.targets.filter((target) => target.status === "Verified").length;
  if (moved === run.targets.length) return "Completed";
  return moved > 0 || run.targets.some((target) => target.status === "ActionRequired")
    ? "PartiallyApplied"
    : "Failed";
}

function* record(context: OrchestrationContext, run: KeyChangeRun, retirableAfterMs?: number): Steps<void> {
  const { input } = run;
  yield context.df.callActivityWithRetry(RECORD_KEY_CHANGE, routineRetry(), {
    from: input.from,
    to: input.to,
    record: run.record(),
    instanceId: keyChangeInstanceId(input.from, input.to),
    ...(retirableAfterMs === undefined ? {} : { retirableAfterMs }),
  });
}

function* moveBinding(
  context: OrchestrationContext,
  run: KeyChangeRun,
  move: Omit<MoveBindingInput, "from" | "to">,
): Steps<void> {
  yield context.df.callActivityWithRetry(MOVE_BINDING, routineRetry(), {
    from: run.input.from,
    to: run.input.to,
    ...move,
  });
}

/** A revocation of either key stops the change: decided on the refusal's code, never on its text. */
function isRevocation(refusal: Refusal | undefined): boolean {
  return refusal?.code === "KeyRevoked";
}

function stoppedByRevocation(refusal: Refusal): string {
  return `Stopped by a revocation of one of the keys; nothing more was changed. ${refusal.reason}`;
}

/** An activity that still failed after its retries stops its own target like a refusal (never as a revocation). */
function failedAfterRetries(error: unknown): Refused {
  return { refusal: { code: "DependencyFailed", reason: errorText(error) } };
}

/** Step 2: every storage account at once (no downtime: a PATCH), each verified, its binding moved. True when stopped. */
function* moveStorageAccounts(context: OrchestrationContext, run: KeyChangeRun): Steps<boolean> {
  const { input } = run;
  const accounts = input.plan.storageAccounts;
  let isStopped = false;
  yield* runSideBySide<SwitchStorageResult>(context, accounts.length, {
    limit: accounts.length,
    run: function* (index) {
      const account = accounts[index];
      try {
        return (yield context.df.callActivityWithRetry(SWITCH_STORAGE_ACCOUNT, routineRetry(), {
          changeId: input.changeId,
          from: input.from,
          to: input.to,
          target: { kind: "storageAccount", resourceId: account.resourceId, mode: account.mode },
          toVaultUrl: input.plan.toVaultUrl,
          toVersion: input.plan.toVersion,
          atMs: nowMs(context),
        } satisfies SwitchStorageInput)) as SwitchStorageResult;
      } catch (error) {
        return failedAfterRetries(error);
      }
    },
    onEnd: function* (index, result) {
      const account = accounts[index];
      if ("refusal" in result) {
        run.set(account.resourceId, "Failed", `Stays on the old key: ${result.refusal.reason}`);
        if (isRevocation(result.refusal)) {
          isStopped = true;
          run.detail = stoppedByRevocation(result.refusal);
        }
        return false;
      }
      run.set(account.resourceId, result.isDone ? "Verified" : "Failed", result.detail);
      if (result.isDone)
        yield* moveBinding(context, run, {
          add: { kind: "storageAccount", resourceId: account.resourceId, mode: account.mode },
          remove: account.resourceId,
        });
      return false;
    },
  });
  return isStopped;
}

/**
 * Step 3: the policy for the new key, then its linked environments, `parallelEnvironments` at a time
 * (default one). A failed move stops new ones; those already moving finish and are recorded. True when
 * the change must stop.
 */
function* movePolicy(
  context: OrchestrationContext,
  run: KeyChangeRun,
  policy: PlannedPolicy,
): Steps<boolean> {
  const { input } = run;
  let ensured: EnsurePolicyResult;
  try {
    ensured = (yield context.df.callActivityWithRetry(ENSURE_TARGET_POLICY, routineRetry(), {
      changeId: input.changeId,
      from: input.from,
      to: input.to,
      oldPolicyId: policy.resourceId,
      ...(policy.existingTargetPolicyId ? { existingTargetPolicyId: policy.existingTargetPolicyId } : {}),
      toVaultArmId: input.plan.toVaultArmId,
      ...(policy.mode === "pinned" ? { version: input.plan.toVersion } : {}),
      atMs: nowMs(context),
    } satisfies EnsurePolicyInput)) as EnsurePolicyResult;
  } catch (error) {
    ensured = failedAfterRetries(error);
  }
  if ("refusal" in ensured) {
    const { refusal } = ensured;
    run.set(
      policy.resourceId,
      "Failed",
      `No policy for the new key: ${refusal.reason} Every environment stays on the old key.`,
    );
    run.detail = isRevocation(refusal)
      ? stoppedByRevocation(refusal)
      : `Stopped at ${policy.resourceId}: ${refusal.reason}`;
    return true;
  }
  if (!ensured.canUse) {
    run.set(policy.resourceId, "ActionRequired", ensured.detail);
    run.detail = ensured.detail;
    return true;
  }
  const newPolicy = ensured.policy;
  const pending = policy.environments.filter((environment) => {
    const target = run.targets.find(
      (candidate) => candidate.resourceId === environmentResourceId(environment.id),
    );
    return target?.status !== "Verified";
  });
  let movedCount = policy.environments.length - pending.length;
  yield* runSideBySide<MoveResult>(context, pending.length, {
    limit: input.parallelEnvironments ?? 1,
    run: function* (index) {
      const environment = pending[index];
      run.show("PowerPlatform", environment.displayName ?? environment.id);
      const moved = yield* moveEnvironment(context, {
        changeId: input.changeId,
        from: input.from,
        to: input.to,
        environmentId: environment.id,
        strategy: input.plan.strategy,
        oldPolicy: { resourceId: policy.resourceId, systemId: policy.systemId },
        newPolicy,
      });
      return moved.isDone ? yield* verifyEnvironment(context, run, environment.id, newPolicy) : moved;
    },
    onEnd: function* (index, result) {
      const environment = pending[index];
      run.set(environmentResourceId(environment.id), result.isDone ? "Verified" : "Failed", result.detail);
      yield* record(context, run);
      if (!result.isDone) {
        if (result.refusal && isRevocation(result.refusal)) run.detail = stoppedByRevocation(result.refusal);
        else
          run.detail ??= `Stopped at environment ${environment.displayName ?? environment.id}: ${result.detail} Moved environments are on the new key, the others on the old one.`;
        return true;
      }
      movedCount += 1;
      // The new policy is bound to the new key as soon as one environment uses it.
      if (movedCount === 1)
        yield* moveBinding(context, run, {
          add: { kind: "powerPlatformPolicy", resourceId: newPolicy.resourceId, mode: policy.mode },
        });
      return false;
    },
  });
  const isAllMoved = movedCount === policy.environments.length;
  if (isAllMoved) {
    yield* moveBinding(context, run, {
      add: { kind: "powerPlatformPolicy", resourceId: newPolicy.resourceId, mode: policy.mode },
      remove: policy.resourceId,
    });
    run.set(
      policy.resourceId,
      "Verified",
      `Replaced by ${newPolicy.resourceId}; the old policy is kept (not deleted).`,
    );
  } else {
    run.set(
      policy.resourceId,
      "Failed",
      `${movedCount} of ${policy.environments.length} environments moved to ${newPolicy.resourceId}.`,
    );
  }
  return !isAllMoved;
}

/** Linked to the new policy and Enabled; an environment just linked may take a moment to come back. */
function* verifyEnvironment(
  context: OrchestrationContext,
  run: KeyChangeRun,
  environmentId: string,
  policy: TargetPolicy,
): Steps<StepResult> {
  let result: StepResult = { isDone: false, detail: "not verified" };
  for (let attempt = 1; attempt <= 5; attempt += 1) {
    result = (yield context.df.callActivityWithRetry(VERIFY_ENVIRONMENT, routineRetry(), {
      changeId: run.input.changeId,
      environmentId,
      policy,
      attempt,
      atMs: nowMs(context),
    })) as StepResult;
    if (result.isDone) return result;
    yield context.df.createTimer(new Date(nowMs(context) + 5_000 * attempt));
  }
  return result;
}
