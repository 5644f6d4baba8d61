// How a rotation's targets add up to its outcome, and the retry timing of a target attempt.
import type { RotationStatus, TargetState } from "./types";

/**
 * Completed when every target verified the new version; Failed when none took it (nor waits on an
 * operator); otherwise PartiallyApplied, which includes a linked pinned policy left for manual action.
 */
export function decideOutcome(targets: readonly TargetState[]): RotationStatus {
  if (targets.every((target) => target.status === "Verified")) return "Completed";
  const anyTookEffect = targets.some(
    (target) => target.status === "Verified" || target.status === "ActionRequired",
  );
  return anyTookEffect ? "PartiallyApplied" : "Failed";
}

/** Attempts per target before it is marked Failed (the SDKs already retry 429/5xx inside each attempt). */
export const TARGET_MAX_ATTEMPTS = 5;
const FIRST_RETRY_MS = 30_000;
const MAX_RETRY_MS = 15 * 60_000;

/**
 * When to try a target again: never sooner than the service's Retry-After, otherwise exponential
 * backoff from 30 s, capped at 15 min.
 */
export function nextAttemptDelayMs(attemptsSoFar: number, retryAfterMs?: number): number {
  const backoffMs = Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, attemptsSoFar - 1), MAX_RETRY_MS);
  return Math.max(backoffMs, retryAfterMs ?? 0);
}

/** Versionless storage accounts poll their vault once a day; give them 26 h before calling it failed. */
export const VERSIONLESS_WATCH_MS = 26 * 3_600_000;
/** How often a versionless target is checked while it has not picked up the version yet. */
export const VERSIONLESS_CHECK_INTERVAL_MS = 3_600_000;
