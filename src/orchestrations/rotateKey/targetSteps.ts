// Steps 3 and 4 of rotateKey: every target in parallel with Retry-After-honouring retries, then the versionless watch.
import type { OrchestrationContext, Task } from "durable-functions";
import { PROPAGATE_TO_TARGET, RECORD_TARGET_ATTEMPTS, VERIFY_TARGET } from "./activityNames";
import { settleAll } from "../settleAll";
import { routineRetry, nowMs, type Steps } from "../orchestrationSupport";
import { nextAttemptDelayMs, TARGET_MAX_ATTEMPTS, VERSIONLESS_CHECK_INTERVAL_MS } from "./outcome";
import type { RotationRun } from "./rotationRun";
import type { TargetAttemptInput, TargetAttemptRecords, TargetAttemptResult, TargetState } from "./types";

/**
 * Steps 3 and 4: every target in parallel, each attempt applying the version where the mode needs a
 * write and reading back its effect. Targets that ask to be retried wait on a durable timer for at
 * least their Retry-After, without holding up the others' next attempt.
 */
export function* updateTargets(context: OrchestrationContext, run: RotationRun): Steps<void> {
  const version = run.newVersion?.version ?? "";
  const nextAttemptAtMs = new Map<TargetState, number>(run.targets.map((target) => [target, nowMs(context)]));
  while (nextAttemptAtMs.size > 0) {
    const due = [...nextAttemptAtMs].filter(([, atMs]) => atMs <= nowMs(context)).map(([target]) => target);
    for (const target of due) target.attempts += 1;
    const attempts = due.map((target) => {
      const attemptInput: TargetAttemptInput = {
        rotationId: run.input.rotationId,
        vaultName: run.input.vaultName,
        keyName: run.input.keyName,
        version,
        target: { kind: target.kind, resourceId: target.resourceId, mode: target.mode },
        attempt: target.attempts,
        nowMs: nowMs(context),
      };
      return context.df.callActivity(PROPAGATE_TO_TARGET, attemptInput);
    });
    const results = yield* settleAttempts(context, attempts);
    due.forEach((target, index) => {
      const result = results[index];
      nextAttemptAtMs.delete(target);
      target.detail = result.detail;
      if (result.outcome === "done") {
        target.status = result.status;
      } else if (target.attempts >= TARGET_MAX_ATTEMPTS) {
        target.status = "Failed";
        target.detail = `Gave up after ${target.attempts} attempts: ${result.detail}`;
      } else {
        const delayMs = nextAttemptDelayMs(target.attempts, result.retryAfterMs);
        target.status = "Pending";
        target.detail = `Attempt ${target.attempts} did not finish; retrying in ${Math.round(delayMs / 1000)} s: ${result.detail}`;
        nextAttemptAtMs.set(target, nowMs(context) + delayMs);
      }
    });
    run.show("UpdatingTargets");
    yield* recordAttempts(context, results);
    if (nextAttemptAtMs.size > 0) {
      yield context.df.createTimer(new Date(Math.min(...nextAttemptAtMs.values())));
    }
  }
}

/** Runs a round of attempts in parallel; an attempt whose activity crashed counts as one to retry, the others keep their results. */
function settleAttempts(context: OrchestrationContext, attempts: Task[]): Steps<TargetAttemptResult[]> {
  return settleAll(context, attempts, (reason): TargetAttemptResult => ({
    outcome: "retry",
    detail: `The attempt did not complete: ${reason}`,
  }));
}

/** Writes the audit rows a round of attempts returned, after the orchestration has taken in their results. */
function* recordAttempts(context: OrchestrationContext, results: TargetAttemptResult[]): Steps<void> {
  const records = results.flatMap((result) => result.records ?? []);
  if (records.length === 0) return;
  const input: TargetAttemptRecords = { records };
  yield context.df.callActivityWithRetry(RECORD_TARGET_ATTEMPTS, routineRetry(), input);
}

/** Step 4 for versionless storage: it polls its vault once a day, so check hourly on a durable timer, up to 26 h. */
export function* watchVersionlessTargets(
  context: OrchestrationContext,
  run: RotationRun,
  deadlineMs: number,
): Steps<void> {
  const version = run.newVersion?.version ?? "";
  let awaiting = run.targets.filter((target) => target.status === "Verifying");
  // Each check is recorded as its own attempt, after the attempts that applied the version.
  let checks = 0;
  while (awaiting.length > 0 && nowMs(context) < deadlineMs) {
    checks += 1;
    yield context.df.createTimer(
      new Date(Math.min(nowMs(context) + VERSIONLESS_CHECK_INTERVAL_MS, deadlineMs)),
    );
    const verifications = awaiting.map((target) =>
      context.df.callActivity(VERIFY_TARGET, {
        rotationId: run.input.rotationId,
        vaultName: run.input.vaultName,
        keyName: run.input.keyName,
        version,
        target: { kind: target.kind, resourceId: target.resourceId, mode: target.mode },
        attempt: target.attempts + checks,
        nowMs: nowMs(context),
      } satisfies TargetAttemptInput),
    );
    const results = yield* settleAttempts(context, verifications);
    awaiting.forEach((target, index) => {
      const result = results[index];
      target.detail = result.detail;
      if (result.outcome === "done") target.status = result.status;
    });
    awaiting = awaiting.filter((target) => target.status === "Verifying");
    run.show("WatchingVersionlessTargets");
    yield* recordAttempts(context, results);
  }
  for (const target of awaiting) {
    target.status = "Failed";
    target.detail = `Still not using version ${version} after 26 h: ${target.detail}`;
  }
}
