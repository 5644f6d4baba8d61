// Activities: steps 3 and 4 for one target, apply the version (pinned) and read back what the consumer uses, and the rows that record it.
import type { TargetAttempt, TargetStatus } from "../../../lib/audit";
import type { VerifyResult } from "../../../lib/consumers";
import { describeFailure } from "../../../lib/errors/failure";
import { getServices } from "../../../lib/services";
import { ATTR, getTelemetry } from "../../../lib/telemetry";
import type { TargetAttemptInput, TargetAttemptRecords, TargetAttemptResult } from "../types";

function attemptRecord(
  input: TargetAttemptInput,
  step: TargetAttempt["step"],
  status: TargetStatus,
  detail: string,
): TargetAttempt {
  return {
    operationId: input.rotationId,
    resourceId: input.target.resourceId,
    kind: input.target.kind,
    mode: input.target.mode,
    step,
    attempt: input.attempt,
    status,
    detail,
    atMs: input.nowMs,
  };
}

/**
 * A pinned target must show the version right after the write (an ARM update still in flight is
 * retried); a versionless one may take a day, so Pending means keep watching.
 */
function resultOfVerification(input: TargetAttemptInput, verified: VerifyResult): TargetAttemptResult {
  if (verified.state === "Verified") return { outcome: "done", status: "Verified", detail: verified.detail };
  if (verified.state === "Failed") return { outcome: "done", status: "Failed", detail: verified.detail };
  if (input.target.mode === "versionless")
    return { outcome: "done", status: "Verifying", detail: verified.detail };
  return { outcome: "retry", detail: verified.detail };
}

function failed(input: TargetAttemptInput, step: TargetAttempt["step"], error: unknown): TargetAttemptResult {
  const failure = describeFailure(error);
  const records = [attemptRecord(input, step, "Failed", failure.message)];
  if (!failure.isRetryable) return { outcome: "done", status: "Failed", detail: failure.message, records };
  return {
    outcome: "retry",
    detail: failure.message,
    records,
    ...(failure.retryAfterMs === undefined ? {} : { retryAfterMs: failure.retryAfterMs }),
  };
}

async function verifyOnce(input: TargetAttemptInput): Promise<TargetAttemptResult> {
  const key = { vaultName: input.vaultName, keyName: input.keyName };
  try {
    const result = resultOfVerification(
      input,
      await getServices().consumers.get(input.target.kind).verify(input.target, key, input.version),
    );
    const status: TargetStatus = result.outcome === "done" ? result.status : "Verifying";
    return { ...result, records: [attemptRecord(input, "verify", status, result.detail)] };
  } catch (error) {
    return failed(input, "verify", error);
  }
}

/**
 * Applies the version where the mode needs a write, then verifies. Never throws: failures come back
 * as `retry` (throttling, outages, with the service's Retry-After) or `done/Failed` (refusals).
 * The consumer reads the target right before writing it, in this same attempt. Writes nothing to the
 * audit log itself: its rows come back in `records` for the orchestration to write, so the
 * verification read follows the write at once. Safe to run twice: applying the same version again
 * is a no-op.
 *
 * Needs what the target's consumer needs: storage, Microsoft.Storage/storageAccounts/read and /write;
 * policy, Microsoft.PowerPlatform/enterprisePolicies/read and /write.
 */
export async function propagateToTarget(input: TargetAttemptInput): Promise<TargetAttemptResult> {
  return reported(input, "cmk.target.propagate", () => applyThenVerify(input));
}

async function applyThenVerify(input: TargetAttemptInput): Promise<TargetAttemptResult> {
  const key = { vaultName: input.vaultName, keyName: input.keyName };
  let applyRecord: TargetAttempt;
  try {
    const applied = await getServices()
      .consumers.get(input.target.kind)
      .applyVersion(input.target, key, input.version);
    if (applied.outcome === "ActionRequired") {
      const records = [attemptRecord(input, "apply", "ActionRequired", applied.detail)];
      return { outcome: "done", status: "ActionRequired", detail: applied.detail, records };
    }
    const status: TargetStatus = applied.outcome === "NoWriteNeeded" ? "NoWriteNeeded" : "Applied";
    applyRecord = attemptRecord(input, "apply", status, applied.detail);
  } catch (error) {
    return failed(input, "apply", error);
  }
  const verified = await verifyOnce(input);
  return { ...verified, records: [applyRecord, ...(verified.records ?? [])] };
}

/**
 * Re-reads a versionless target while it has not picked up the version yet. Never throws; its row comes back in
 * `records`. Needs read on the target: Microsoft.Storage/storageAccounts/read or enterprisePolicies/read.
 */
export async function verifyTarget(input: TargetAttemptInput): Promise<TargetAttemptResult> {
  return reported(input, "cmk.target.verify", () => verifyOnce(input));
}

/** Runs one attempt in a span and sends each of its rows to telemetry (a log line each; verifications counted). */
async function reported(
  input: TargetAttemptInput,
  spanName: string,
  attempt: () => Promise<TargetAttemptResult>,
): Promise<TargetAttemptResult> {
  const telemetry = getTelemetry();
  const keyId = getServices().allowList.keyIdOf(input);
  const result = await telemetry.inSpan(
    spanName,
    {
      [ATTR.operationId]: input.rotationId,
      [ATTR.keyId]: keyId,
      [ATTR.target]: input.target.resourceId,
      [ATTR.consumerKind]: input.target.kind,
    },
    attempt,
  );
  for (const record of result.records ?? []) {
    telemetry.targetChecked({
      kind: "rotation",
      operationId: input.rotationId,
      keyId,
      target: record.resourceId,
      consumerKind: record.kind,
      step: record.step,
      result: record.status,
      detail: record.detail,
    });
  }
  return result;
}

/** Writes one round's attempt rows. Needs Storage Table Data Contributor; rows are keyed by attempt, so running it twice writes the same rows. */
export async function recordTargetAttempts(input: TargetAttemptRecords): Promise<void> {
  const { audit } = getServices();
  await Promise.all(input.records.map((record) => audit.recordTargetAttempt(record)));
}
