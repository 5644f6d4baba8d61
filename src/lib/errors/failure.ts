// A plain, serialisable description of a failure: what activities return so orchestrations can decide.
import { DomainError, ThrottledError } from "./DomainError";
import type { ErrorCode } from "./codes";
import { ensureError } from "./ensureError";

/**
 * Durable activities lose an error's class and fields when they throw (only the message crosses),
 * so activities that want the orchestration to decide return this instead.
 */
export interface FailureInfo {
  code: ErrorCode;
  message: string;
  /** True for throttling and transient dependency failures; false for caller mistakes and refusals. */
  isRetryable: boolean;
  /** What the dependency asked us to wait, when it said. */
  retryAfterMs?: number;
}

const RETRYABLE_CODES: ReadonlySet<ErrorCode> = new Set([
  "DependencyThrottled",
  "DependencyUnavailable",
  "DependencyFailed",
  "InternalError",
]);

/** Describes any thrown value; non-domain errors become a retryable InternalError. */
export function describeFailure(thrown: unknown): FailureInfo {
  if (thrown instanceof DomainError) {
    return {
      code: thrown.code,
      message: thrown.message,
      isRetryable: RETRYABLE_CODES.has(thrown.code),
      ...(thrown instanceof ThrottledError && thrown.retryAfterMs !== undefined
        ? { retryAfterMs: thrown.retryAfterMs }
        : {}),
    };
  }
  return { code: "InternalError", message: ensureError(thrown).message, isRetryable: true };
}

/** Why a step must not go ahead: a domain error code to decide on and the sentence to act on. */
export interface Refusal {
  code: ErrorCode;
  reason: string;
}

/**
 * For activities whose orchestration decides on a refusal's code (classes do not cross the activity
 * boundary): a failure retrying cannot fix (KeyRevoked, a caller mistake, access removed) comes back as
 * `{refusal}`; a retryable one (throttling, outage) is thrown again so the activity is retried.
 */
export function refusalOrRethrow(thrown: unknown): { refusal: Refusal } {
  const failure = describeFailure(thrown);
  if (failure.isRetryable) throw ensureError(thrown);
  return { refusal: { code: failure.code, reason: failure.message } };
}

/** True when retrying the same call may succeed (throttling, dependency outage). */
export function isRetryable(thrown: unknown): boolean {
  return describeFailure(thrown).isRetryable;
}
