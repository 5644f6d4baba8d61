// Activities: step 5, write the rotation record (audit) and publish the outcome (notification topic, when configured).
import type { RotationRecord } from "../../../lib/audit";
import { ensureError } from "../../../lib/errors";
import { getServices } from "../../../lib/services";
import { getTelemetry } from "../../../lib/telemetry";
import type { RotationRecordInput } from "../types";

/** The HTTP API shape (docs/http-api.md) of a rotation, from what the orchestration knows. */
export function toRotationRecord(input: RotationRecordInput): RotationRecord {
  return {
    id: input.rotationId,
    keyId: input.keyId,
    status: input.status,
    reason: input.reason,
    trigger: input.trigger,
    previousVersion: input.previousVersion ?? null,
    newVersion: input.newVersion ?? null,
    targets: input.targets.map(({ resourceId, kind, mode, status, detail }) => ({
      resourceId,
      kind,
      mode,
      status,
      detail,
    })),
    startedAt: new Date(input.startedAtMs).toISOString(),
    finishedAt: input.finishedAtMs === undefined ? null : new Date(input.finishedAtMs).toISOString(),
    ...(input.detail === undefined ? {} : { detail: input.detail }),
  };
}

/** Upsert by rotation id: running it twice writes the same row. */
export async function recordRotation(input: RotationRecordInput): Promise<void> {
  const key = { vaultName: input.vaultName, keyName: input.keyName };
  await getServices().audit.putRotation(key, toRotationRecord(input));
}

/** The outcome in telemetry: step 5 publishes each rotation's end once, so its counter and duration are recorded here. */
function reportOutcome(input: RotationRecordInput): void {
  getTelemetry().operationFinished({
    kind: "rotation",
    operationId: input.rotationId,
    keyId: input.keyId || getServices().allowList.keyIdOf(input),
    outcome: input.status,
    trigger: input.trigger,
    // Orchestration time: from the rotation's start (its trigger) to the outcome, i.e. every target verified when Completed.
    durationMs: input.finishedAtMs === undefined ? undefined : input.finishedAtMs - input.startedAtMs,
    detail: input.detail,
  });
}

/**
 * Publishes the outcome event. A topic outage must not fail a rotation that already happened, so
 * failures are reported in the result (and logged by the caller), not thrown.
 */
export async function publishOutcome(
  input: RotationRecordInput,
): Promise<{ published: boolean; error?: string }> {
  const key = { vaultName: input.vaultName, keyName: input.keyName };
  reportOutcome(input);
  try {
    const published = await getServices().notifications.publish({
      kind: "rotation",
      key,
      record: toRotationRecord(input),
    });
    return { published };
  } catch (error) {
    return { published: false, error: ensureError(error).message };
  }
}
