// Reads the status of a rotation or revocation record and decides whether it is finished and how it ended.
import { ExitCode, type ExitCodeValue } from "./exitCodes";

const STILL_RUNNING = /^(Running|Pending|NotStarted|InProgress|Started|Revoking|Restoring|ContinuedAsNew)$/i;
const UNSUCCESSFUL = /^(Failed|PartiallyApplied|Terminated|Interrupted|Canceled|Cancelled|ActionRequired)$/i;

/** The record's `status` (rotations) or `state` (revocations). */
export function statusOf(record: unknown): string | undefined {
  if (typeof record !== "object" || record === null) return undefined;
  const { status, state } = record as { status?: unknown; state?: unknown };
  if (typeof status === "string") return status;
  return typeof state === "string" ? state : undefined;
}

export function isFinished(record: unknown): boolean {
  const status = statusOf(record);
  return status !== undefined && !STILL_RUNNING.test(status);
}

/** Completed, Skipped, Revoked, Restored → 0; Failed, PartiallyApplied and the like → 1. */
export function exitCodeForOutcome(record: unknown): ExitCodeValue {
  const status = statusOf(record);
  return status !== undefined && UNSUCCESSFUL.test(status) ? ExitCode.Failed : ExitCode.Ok;
}
