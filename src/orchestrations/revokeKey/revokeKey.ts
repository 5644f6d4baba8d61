// The revokeKey orchestration: the emergency runbook that cuts every consumer off a customer-managed key.
import type { OrchestrationContext } from "durable-functions";
import type { RevocationRecord, RevocationStatus, RevokedVersion } from "../../lib/audit";
import { revokedVersionsOf } from "../../lib/revocations";
import { DISABLE_VERSIONS, SNAPSHOT_VERSIONS, TAKE_OVER_KEY } from "./activityNames";
import { emergencyRetry, isoNow, nowMs, type Steps } from "../orchestrationSupport";
import { publishRecord, saveRecord, show, verifyTargets } from "../revocationSteps/steps";
import type {
  DisableVersionsInput,
  DisableVersionsResult,
  KeyActivityInput,
  RevocationSnapshot,
  RevokeKeyInput,
  TakeOverResult,
} from "./types";

/** Rounds of disabling: a version that failed (throttled beyond the SDK's retries, outage) is tried again. */
const DISABLE_ROUNDS = 3;
const DISABLE_RETRY_DELAY_MS = 5_000;

function outcomeOf(versions: readonly RevokedVersion[]): RevocationStatus {
  const ours = versions.filter((entry) => entry.wasEnabled);
  const disabled = ours.filter((entry) => entry.disabledAt !== null);
  if (disabled.length === ours.length) return "Revoked";
  return disabled.length > 0 ? "PartiallyRevoked" : "Failed";
}

export function* revokeKey(context: OrchestrationContext): Steps<RevocationRecord> {
  const input = context.df.getInput<RevokeKeyInput>();
  const { vaultName, keyName, revocationId } = input;
  // Every time in the record comes from the orchestration's clock, startedAt included: the door's
  // wall-clock stamp is replaced, so startedAt ≤ finishedAt holds wherever the two clocks differ.
  const record: RevocationRecord = { ...input.record, status: "Running", startedAt: isoNow(context) };
  const keyInput = (): KeyActivityInput => ({ revocationId, vaultName, keyName, nowMs: nowMs(context) });

  show(context, record, "TakingOverKey");
  const takeOver = (yield context.df.callActivityWithRetry(
    TAKE_OVER_KEY,
    emergencyRetry(),
    keyInput(),
  )) as TakeOverResult;
  record.interruptedRotationId = takeOver.interruptedRotationId;

  show(context, record, "ListingVersions");
  const snapshot = (yield context.df.callActivityWithRetry(
    SNAPSHOT_VERSIONS,
    emergencyRetry(),
    keyInput(),
  )) as RevocationSnapshot;
  record.versions = revokedVersionsOf(snapshot.versions);
  yield* saveRecord(context, vaultName, keyName, record);

  show(context, record, "DisablingVersions");
  yield* disableEnabledVersions(context, record, keyInput);
  // Saved at once (still Running) so GET shows which versions are already off while consumers are checked.
  yield* saveRecord(context, vaultName, keyName, record);

  show(context, record, "VerifyingConsumers");
  const verified = yield* verifyTargets(
    context,
    { operationId: revocationId, keyId: record.keyId },
    snapshot.targets,
    "Denied",
  );
  record.targets = verified.targets;
  record.environments = verified.environments;
  record.status = outcomeOf(record.versions);
  record.finishedAt = isoNow(context);
  yield* saveRecord(context, vaultName, keyName, record);
  yield* publishRecord(context, vaultName, keyName, record);
  show(context, record, "Done");
  return record;
}

/** Disables every version the snapshot saw enabled (and stragglers), remembering exactly which it disabled. */
function* disableEnabledVersions(
  context: OrchestrationContext,
  record: RevocationRecord,
  keyInput: () => KeyActivityInput,
): Steps<void> {
  for (let round = 1; round <= DISABLE_ROUNDS; round += 1) {
    const todo = record.versions.filter((entry) => entry.wasEnabled && entry.disabledAt === null);
    if (todo.length === 0 && round > 1) return;
    const request: DisableVersionsInput = {
      ...keyInput(),
      versions: todo.map((entry) => entry.version),
      knownVersions: record.versions.map((entry) => entry.version),
    };
    const answer = (yield context.df.callActivityWithRetry(
      DISABLE_VERSIONS,
      emergencyRetry(),
      request,
    )) as DisableVersionsResult;
    const at = isoNow(context);
    for (const result of answer.results) {
      const entry = record.versions.find((candidate) => candidate.version === result.version);
      if (entry && result.isDone) entry.disabledAt = at;
    }
    for (const straggler of answer.stragglers) {
      record.versions.push({
        version: straggler.version,
        wasEnabled: straggler.wasEnabled,
        disabledAt: straggler.wasEnabled && straggler.isDone ? at : null,
        restoredAt: null,
      });
    }
    const failed = record.versions.filter((entry) => entry.wasEnabled && entry.disabledAt === null);
    if (failed.length === 0 || round === DISABLE_ROUNDS) return;
    const waitMs = Math.max(
      DISABLE_RETRY_DELAY_MS,
      ...answer.results.map((result) => result.retryAfterMs ?? 0),
    );
    yield context.df.createTimer(new Date(nowMs(context) + waitMs));
  }
}
