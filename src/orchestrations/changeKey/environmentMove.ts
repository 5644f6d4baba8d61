// One environment from the old policy to the new: unlink then link (documented), or link only (direct).
import type { OrchestrationContext } from "durable-functions";
import type { KeyChangeStrategy } from "../../lib/audit";
import type { Refusal } from "../../lib/errors";
import type { KeyIdentity } from "../../lib/keys";
import type { EnvironmentOperation } from "../../lib/keyChanges/environmentMoves";
import { errorText, nowMs, routineRetry, type Steps } from "../orchestrationSupport";
import { POLL_ENVIRONMENT_OPERATION, START_ENVIRONMENT_OPERATION } from "./activityNames";
import type {
  EnvironmentOperationInput,
  PolledOperation,
  StartedOperation,
  StepResult,
  TargetPolicy,
} from "./types";

/** How long one link or unlink may take before the change gives up on it (Power Platform: usually minutes). */
export const ENVIRONMENT_OPERATION_TIMEOUT_MS = 6 * 3_600_000;

export interface EnvironmentMove {
  changeId: string;
  from: KeyIdentity;
  to: KeyIdentity;
  environmentId: string;
  strategy: KeyChangeStrategy;
  oldPolicy: TargetPolicy;
  newPolicy: TargetPolicy;
}

/** Where one environment's move ended; `refusal` when a start was refused (KeyRevoked: a revocation). */
export type MoveResult = StepResult & { refusal?: Refusal };

export function* moveEnvironment(context: OrchestrationContext, move: EnvironmentMove): Steps<MoveResult> {
  if (move.strategy === "documented") {
    const unlinked = yield* runOperation(context, move, "unlink", move.oldPolicy);
    if (!unlinked.isDone)
      return {
        ...unlinked,
        detail: `Unlink from the old policy failed: ${unlinked.detail} It stays on the old key.`,
      };
  }
  const linked = yield* runOperation(context, move, "link", move.newPolicy);
  if (!linked.isDone)
    return {
      ...linked,
      detail:
        move.strategy === "documented"
          ? `Unlinked, but the link to the new policy failed: ${linked.detail} It runs on the Microsoft-managed key until linked.`
          : `Link to the new policy failed: ${linked.detail} It stays on the old key.`,
    };
  return {
    isDone: true,
    detail: move.strategy === "documented" ? "Unlinked and linked." : "Linked (direct).",
  };
}

/** Starts the operation (or finds it done), then polls honouring Retry-After with durable timers. */
function* runOperation(
  context: OrchestrationContext,
  move: EnvironmentMove,
  operation: EnvironmentOperation,
  policy: TargetPolicy,
): Steps<MoveResult> {
  const { environmentId } = move;
  const deadlineMs = nowMs(context) + ENVIRONMENT_OPERATION_TIMEOUT_MS;
  try {
    let started: StartedOperation;
    for (;;) {
      started = (yield context.df.callActivityWithRetry(START_ENVIRONMENT_OPERATION, routineRetry(), {
        from: move.from,
        to: move.to,
        environmentId,
        operation,
        policy,
      } satisfies EnvironmentOperationInput)) as StartedOperation;
      if ("refusal" in started)
        return {
          isDone: false,
          detail: `The ${operation} was refused: ${started.refusal.reason}`,
          refusal: started.refusal,
        };
      if ("alreadyDone" in started) return { isDone: true, detail: `Already ${operation}ed.` };
      if ("operationUrl" in started) break;
      if (nowMs(context) > deadlineMs)
        return { isDone: false, detail: `Another operation kept running on it past the deadline.` };
      yield context.df.createTimer(new Date(nowMs(context) + started.retryAfterMs));
    }
    let waitMs = started.retryAfterMs;
    for (;;) {
      yield context.df.createTimer(new Date(nowMs(context) + waitMs));
      const polled = (yield context.df.callActivityWithRetry(POLL_ENVIRONMENT_OPERATION, routineRetry(), {
        operationUrl: started.operationUrl,
      })) as PolledOperation;
      if (polled.state === "Succeeded") return { isDone: true, detail: `${operation} succeeded.` };
      if (polled.state === "Failed") return { isDone: false, detail: polled.message };
      if (nowMs(context) > deadlineMs)
        return { isDone: false, detail: `The ${operation} still ran after 6 hours.` };
      waitMs = polled.retryAfterMs;
    }
  } catch (error) {
    return { isDone: false, detail: errorText(error) };
  }
}
