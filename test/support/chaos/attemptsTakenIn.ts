// The target attempts a rotation took in, read from its durable history: the ground truth the audit log must hold.
import type { TargetAttempt } from "../../../src/lib/audit";
import { PROPAGATE_TO_TARGET, VERIFY_TARGET } from "../../../src/orchestrations/rotateKey/activityNames";
import type { InstanceStatus } from "./chaosCalls";

const ATTEMPT_ACTIVITIES = new Set([PROPAGATE_TO_TARGET.toLowerCase(), VERIFY_TARGET.toLowerCase()]);

/**
 * Every attempt row carried by a completed propagate or verify activity in the history (as the
 * Durable HTTP API shows it with `showHistory` and `showHistoryOutput`): the orchestration received
 * these, so each must end up in the audit log.
 */
export function attemptsTakenIn(status: InstanceStatus): TargetAttempt[] {
  const events = status.historyEvents ?? [];
  const scheduledNames = new Map<number, string>();
  for (const event of events) {
    if (
      event.EventType === "TaskScheduled" &&
      typeof event.EventId === "number" &&
      typeof event.Name === "string"
    )
      scheduledNames.set(event.EventId, event.Name.toLowerCase());
  }
  const attempts: TargetAttempt[] = [];
  for (const event of events) {
    if (event.EventType !== "TaskCompleted" || typeof event.TaskScheduledId !== "number") continue;
    if (!ATTEMPT_ACTIVITIES.has(scheduledNames.get(event.TaskScheduledId) ?? "")) continue;
    const result = event.Result as { records?: TargetAttempt[] } | null | undefined;
    attempts.push(...(result?.records ?? []));
  }
  return attempts;
}

/** The audit log's identity of an attempt row: one row per operation, target, step and attempt number. */
export function attemptRowKey(attempt: Pick<TargetAttempt, "resourceId" | "step" | "attempt">): string {
  return `${attempt.resourceId.toLowerCase()}|${attempt.step}|${attempt.attempt}`;
}
