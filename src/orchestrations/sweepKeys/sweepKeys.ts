// The sweepKeys orchestration: the pass over every bound key (scheduled or on demand) that rotates what is due and repairs drift.
import type { OrchestrationContext } from "durable-functions";
import { isoNow, nowMs, routineRetry, type Steps } from "../orchestrationSupport";
import { deterministicRotationId, type StartOutcome } from "../../starters/rotations/startRotation";
import { settleAll } from "../settleAll";
import { RETIRE_PREVIOUS_VERSIONS } from "../rotateKey/activityNames";
import type { RetirementInput, RetirementResult } from "../rotateKey/types";
import { ASSESS_KEY, LIST_BOUND_KEYS, RECORD_DRIFT, RECORD_SWEEP, START_KEY_ROTATION } from "./activityNames";
import { ASSESS_CONCURRENCY, START_WINDOW_MS } from "./limits";
import { paceByBudget } from "./paceByBudget";
import { SweepKeyStates } from "./sweepKeyStates";
import { sweepIdOfInstance } from "./sweepIds";
import type {
  BoundKeys,
  KeyAssessment,
  KeyDrift,
  SweepInput,
  SweepKey,
  SweepRecordInput,
  SweepResult,
  SweepStartInput,
} from "./types";

const keyPath = (key: SweepKey): string => `${key.vaultName}/${key.keyName}`;

function inBatches<T>(items: readonly T[], size: number): T[][] {
  const batches: T[][] = [];
  for (let start = 0; start < items.length; start += size) batches.push(items.slice(start, start + size));
  return batches;
}

export function* sweepKeys(context: OrchestrationContext): Steps<SweepResult> {
  const input = context.df.getInput<SweepInput | undefined>() ?? { reason: "schedule" };
  const sweepId = input.sweepId ?? sweepIdOfInstance(context.df.instanceId);
  const result: SweepResult = {
    sweepId,
    assessed: 0,
    started: [],
    busy: [],
    unchanged: [],
    failed: [],
    drift: [],
    retired: [],
  };
  const sweptAtMs = nowMs(context);
  const startedAt = isoNow(context);
  const progress = new SweepKeyStates(sweepId);
  const show = (step: string) => context.df.setCustomStatus(progress.status(step));

  show("ListingKeys");
  const listed = (yield context.df.callActivity(LIST_BOUND_KEYS, { reason: input.reason })) as BoundKeys;
  const vaultFilter = input.vaultName?.toLowerCase();
  const keys = listed.keys.filter(
    (key) => vaultFilter === undefined || key.vaultName.toLowerCase() === vaultFilter,
  );
  progress.track(keys.map(keyPath));

  const assessments: KeyAssessment[] = [];
  for (const batch of inBatches(keys, ASSESS_CONCURRENCY)) {
    show("AssessingKeys");
    const assessed = (yield context.df.Task.all(
      batch.map((key) =>
        context.df.callActivity(ASSESS_KEY, {
          key,
          nowMs: nowMs(context),
          ...(input.force ? { force: true } : {}),
        }),
      ),
    )) as KeyAssessment[];
    for (const assessment of assessed)
      progress.set(keyPath(assessment.key), assessment.action === "None" ? "Unchanged" : "Waiting");
    assessments.push(...assessed);
  }
  result.assessed = assessments.length;
  for (const assessment of assessments.filter((candidate) => candidate.action === "None")) {
    result.unchanged.push({ key: keyPath(assessment.key), detail: assessment.detail });
  }

  const starts = assessments
    .filter((candidate) => candidate.action !== "None")
    .map((assessment) => startInputFor(assessment, sweptAtMs));
  for (const [index, window] of paceByBudget(starts).entries()) {
    if (index > 0) yield context.df.createTimer(new Date(nowMs(context) + START_WINDOW_MS));
    show("StartingRotations");
    // A start the task hub keeps refusing leaves that key for the next sweep; the others still start.
    const outcomes = yield* settleAll(
      context,
      window.map((start) => context.df.callActivityWithRetry(START_KEY_ROTATION, routineRetry(), start)),
      (reason): StartOutcome | { failure: string } => ({ failure: reason }),
    );
    window.forEach((start, position) => {
      const outcome = outcomes[position];
      const path = keyPath(start.key);
      if ("failure" in outcome) {
        const detail = `${start.action} could not be started (${outcome.failure}); the next sweep tries again.`;
        result.failed.push({ key: path, detail });
        progress.set(path, "Failed");
        progress.noteFailure(path, detail);
      } else if (outcome.started) {
        result.started.push({ key: path, action: start.trigger, rotationId: outcome.rotationId });
        progress.set(path, "Started");
      } else {
        result.busy.push({ key: path, runningId: outcome.runningId });
        progress.set(path, "Busy");
      }
    });
    // Shown while the next window's timer runs: what started, and who is still waiting.
    show("StartingRotations");
  }
  yield* retireWhereDue(context, assessments, result, progress);
  yield* recordDriftOfEveryKey(context, keys, result, progress);
  const finished = progress.status("Done");
  const record: SweepRecordInput = {
    id: sweepId,
    status: result.failed.length > 0 ? "PartiallyApplied" : "Completed",
    reason: input.reason,
    trigger: input.trigger ?? "Schedule",
    vaultName: input.vaultName ?? null,
    force: input.force === true,
    counts: finished.counts,
    waiting: finished.waiting,
    failed: finished.failed,
    startedAt,
    finishedAt: isoNow(context),
  };
  // The summary record is what GET /api/sweeps/{id} answers once the sweep has ended.
  yield context.df.callActivityWithRetry(RECORD_SWEEP, routineRetry(), record);
  context.df.setCustomStatus(finished);
  return result;
}

/**
 * Old versions whose rotation did not retire them (a consumer still used them, or discovery
 * failed) are tried again here, with the same safety checks. Keys being rotated are left to their
 * rotation. Deterministic ids: a second sweep on the same newest version rewrites the same decisions.
 */
function* retireWhereDue(
  context: OrchestrationContext,
  assessments: readonly KeyAssessment[],
  result: SweepResult,
  progress: SweepKeyStates,
): Steps<void> {
  const due = assessments.filter((assessment) => assessment.action === "None" && assessment.retirementDue);
  for (const batch of inBatches(due, ASSESS_CONCURRENCY)) {
    context.df.setCustomStatus(progress.status("RetiringVersions"));
    const inputs = batch.map((assessment): RetirementInput => ({
      rotationId: deterministicRotationId(
        "retire",
        assessment.key.vaultName,
        assessment.key.keyName,
        assessment.currentVersion ?? "",
      ),
      vaultName: assessment.key.vaultName,
      keyName: assessment.key.keyName,
      keepVersion: assessment.currentVersion ?? "",
      targets: [],
      nowMs: nowMs(context),
    }));
    const outcomes = yield* settleAll(
      context,
      inputs.map((input) =>
        context.df.callActivityWithRetry(RETIRE_PREVIOUS_VERSIONS, routineRetry(), input),
      ),
      (reason): RetirementResult | { failure: string } => ({ failure: reason }),
    );
    batch.forEach((assessment, position) => {
      const outcome = outcomes[position];
      if ("failure" in outcome) {
        const detail = `Retirement failed (${outcome.failure}); the next sweep tries again.`;
        result.failed.push({ key: keyPath(assessment.key), detail });
        progress.noteFailure(keyPath(assessment.key), detail);
      } else {
        result.retired.push({
          key: keyPath(assessment.key),
          disabled: outcome.disabledVersions,
          kept: outcome.retainedVersions,
        });
      }
    });
  }
}

/** Every bound key's consumers against its binding; a key whose consumers cannot be read is listed in failed. */
function* recordDriftOfEveryKey(
  context: OrchestrationContext,
  keys: readonly SweepKey[],
  result: SweepResult,
  progress: SweepKeyStates,
): Steps<void> {
  for (const batch of inBatches(keys, ASSESS_CONCURRENCY)) {
    context.df.setCustomStatus(progress.status("CheckingConsumers"));
    const outcomes = yield* settleAll(
      context,
      batch.map((key) =>
        context.df.callActivityWithRetry(RECORD_DRIFT, routineRetry(), { key, nowMs: nowMs(context) }),
      ),
      (reason): KeyDrift | { failure: string } => ({ failure: reason }),
    );
    batch.forEach((key, position) => {
      const outcome = outcomes[position];
      if ("failure" in outcome) {
        const detail = `Consumers could not be checked (${outcome.failure}).`;
        result.failed.push({ key: keyPath(key), detail });
        progress.noteFailure(keyPath(key), detail);
      } else if (outcome.open + outcome.resolved > 0)
        result.drift.push({
          key: keyPath(key),
          open: outcome.open,
          detected: outcome.detected,
          resolved: outcome.resolved,
        });
    });
  }
}

/** Rotation ids are deterministic per cause, so a sweep that runs twice still makes one version per due key. */
function startInputFor(assessment: KeyAssessment, sweptAtMs: number): SweepStartInput {
  const { key, currentVersion = "" } = assessment;
  if (assessment.action === "Rotate") {
    return {
      key,
      action: "Rotate",
      trigger: "ScheduledSweep",
      mode: "rotate",
      reason: assessment.detail,
      rotationId: deterministicRotationId("sweep", key.vaultName, key.keyName, currentVersion),
    };
  }
  return {
    key,
    action: "RepairDrift",
    trigger: "ScheduledSweep",
    mode: "propagate",
    version: currentVersion,
    reason: assessment.detail,
    rotationId: deterministicRotationId(
      "drift",
      key.vaultName,
      key.keyName,
      currentVersion,
      String(sweptAtMs),
    ),
  };
}
