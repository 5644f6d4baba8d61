// The restoreKey orchestration: undoes one revocation, re-enabling exactly the versions it disabled and checking consumers.
import type { OrchestrationContext } from "durable-functions";
import type { RevocationRecord, RevocationStatus } from "../../lib/audit";
import { versionsToRestore } from "../../lib/revocations";
import { emergencyRetry, isoNow, type Steps } from "../orchestrationSupport";
import { publishRecord, saveRecord, show, verifyTargets } from "../revocationSteps/steps";
import { ENABLE_VERSIONS, LOAD_REVOCATION, LOWER_FENCE } from "./activityNames";
import type { EnableVersionsInput, EnableVersionsResult, RestoreKeyInput } from "./types";

export function* restoreKey(context: OrchestrationContext): Steps<RevocationRecord> {
  const input = context.df.getInput<RestoreKeyInput>();
  const { vaultName, keyName, revocationId } = input;
  const loaded = (yield context.df.callActivityWithRetry(LOAD_REVOCATION, emergencyRetry(), {
    revocationId,
  })) as RevocationRecord;
  const record: RevocationRecord = {
    ...loaded,
    status: "Restoring",
    restore: {
      requestId: input.requestId,
      reason: input.reason,
      // The orchestration's clock, like finishedAt below (the door stamped the wall clock).
      startedAt: isoNow(context),
      finishedAt: null,
      status: "Restoring",
    },
  };
  show(context, record, "EnablingVersions");
  yield* saveRecord(context, vaultName, keyName, record);

  // Only versions this revocation disabled and that are not back yet: a second restore enables nothing.
  const request: EnableVersionsInput = {
    revocationId,
    vaultName,
    keyName,
    versions: versionsToRestore(record.versions),
  };
  const enabled = (yield context.df.callActivityWithRetry(
    ENABLE_VERSIONS,
    emergencyRetry(),
    request,
  )) as EnableVersionsResult;
  const at = isoNow(context);
  for (const result of enabled.results) {
    const entry = record.versions.find((candidate) => candidate.version === result.version);
    if (entry && result.isDone) entry.restoredAt = at;
  }
  const isComplete = versionsToRestore(record.versions).length === 0;
  // The fence stays up while a version is still missing, so rotation cannot start on a half-restored key.
  if (isComplete)
    yield context.df.callActivityWithRetry(LOWER_FENCE, emergencyRetry(), {
      revocationId,
      vaultName,
      keyName,
    });

  show(context, record, "VerifyingConsumers");
  const targets = record.targets.map(({ kind, resourceId, mode }) => ({ kind, resourceId, mode }));
  const verified = yield* verifyTargets(
    context,
    { operationId: `${revocationId}.restore`, keyId: record.keyId },
    targets,
    "Accessible",
    input.reenableEnvironments,
  );
  const status: RevocationStatus = isComplete ? "Restored" : "PartiallyRestored";
  record.targets = verified.targets;
  record.environments = verified.environments;
  record.status = status;
  record.restore = { ...record.restore!, status, finishedAt: isoNow(context) };
  yield* saveRecord(context, vaultName, keyName, record);
  yield* publishRecord(context, vaultName, keyName, record);
  show(context, record, "Done");
  return record;
}
