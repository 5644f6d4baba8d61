// Steps shared by revokeKey and restoreKey: recording, publishing, and consumer verification.
import type { OrchestrationContext } from "durable-functions";
import type { RevocationRecord, TargetRecord } from "../../lib/audit";
import type { BindingTarget } from "../../lib/bindings";
import type { LinkedEnvironment } from "../../lib/consumers";
import { CHECK_TARGET, PUBLISH_REVOCATION, RECORD_REVOCATION } from "./activityNames";
import { emergencyRetry, nowMs, type Steps } from "../orchestrationSupport";
import type { CheckTargetInput, CheckTargetResult, ExpectedAccess, RevocationCustomStatus } from "./types";

/** A consumer may take a little while to notice its key is gone (or back): look again this often, this many times. */
export const VERIFY_INTERVAL_MS = 60_000;
export const VERIFY_ATTEMPTS = 3;

export function show(context: OrchestrationContext, record: RevocationRecord, step: string): void {
  const status: RevocationCustomStatus = { revocationId: record.id, step, status: record.status };
  context.df.setCustomStatus(status);
}

/** A copy of the record as it is now: the orchestration keeps changing its own object after scheduling. */
function snapshotOf(record: RevocationRecord): RevocationRecord {
  return JSON.parse(JSON.stringify(record)) as RevocationRecord;
}

export function* saveRecord(
  context: OrchestrationContext,
  vaultName: string,
  keyName: string,
  record: RevocationRecord,
): Steps<void> {
  yield context.df.callActivityWithRetry(RECORD_REVOCATION, emergencyRetry(), {
    vaultName,
    keyName,
    record: snapshotOf(record),
  });
}

/** Publishing never fails the job: the activity reports failures instead of throwing. */
export function* publishRecord(
  context: OrchestrationContext,
  vaultName: string,
  keyName: string,
  record: RevocationRecord,
): Steps<void> {
  yield context.df.callActivity(PUBLISH_REVOCATION, {
    vaultName,
    keyName,
    record: snapshotOf(record),
  });
}

export interface VerifiedTargets {
  targets: TargetRecord[];
  environments: LinkedEnvironment[];
}

/**
 * Checks every bound consumer in parallel; those that do not show the expected effect yet are
 * looked at again on a durable timer, up to VERIFY_ATTEMPTS times. Each check is recorded as a
 * target attempt by the activity.
 */
export function* verifyTargets(
  context: OrchestrationContext,
  operation: { operationId: string; keyId: string },
  targets: readonly BindingTarget[],
  expect: ExpectedAccess,
  reenableEnvironments = false,
): Steps<VerifiedTargets> {
  const results: CheckTargetResult[] = [];
  let pending = targets.map((_, index) => index);
  for (let attempt = 1; pending.length > 0; attempt += 1) {
    const checks = pending.map((index) => {
      const input: CheckTargetInput = {
        ...operation,
        target: targets[index],
        expect,
        attempt,
        nowMs: nowMs(context),
        reenableEnvironments,
      };
      return context.df.callActivityWithRetry(CHECK_TARGET, emergencyRetry(), input);
    });
    const answers = (yield context.df.Task.all(checks)) as CheckTargetResult[];
    pending.forEach((index, position) => (results[index] = answers[position]));
    pending = pending.filter((index) => results[index].isPending);
    if (pending.length === 0 || attempt >= VERIFY_ATTEMPTS) break;
    yield context.df.createTimer(new Date(nowMs(context) + VERIFY_INTERVAL_MS));
  }
  return {
    targets: results.map((result) => result.target),
    environments: results.flatMap((result) => result.environments),
  };
}
