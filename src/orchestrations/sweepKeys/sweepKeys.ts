// The sweepKeys orchestration: the scheduled pass over every bound key that rotates what is due and repairs drift.
import type { OrchestrationContext } from "durable-functions";
import { nowMs, routineRetry, type Steps } from "../orchestrationSupport";
import { deterministicRotationId, type StartOutcome } from "../../starters/rotations/startRotation";
import { settleAll } from "../settleAll";
import { RETIRE_PREVIOUS_VERSIONS } from "../rotateKey/activityNames";
import type { RetirementInput, RetirementResult } from "../rotateKey/types";
import { ASSESS_KEY, LIST_BOUND_KEYS, RECORD_DRIFT, START_KEY_ROTATION } from "./activityNames";
import { ASSESS_CONCURRENCY, ROTATIONS_PER_VAULT_PER_WINDOW, START_WINDOW_MS } from "./limits";
import type {
  BoundKeys,
  KeyAssessment,
  KeyDrift,
  SweepInput,
  SweepKey,
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
  const result: SweepResult = {
    assessed: 0,
    started: [],
    busy: [],
    unchanged: [],
    failed: [],
    drift: [],
    retired: [],
  };
  const sweptAtMs = nowMs(context);

  context.df.setCustomStatus({ step: "ListingKeys" });
  const { keys } = (yield context.df.callActivity(LIST_BOUND_KEYS, { reason: input.reason })) as BoundKeys;

  const assessments: KeyAssessment[] = [];
  for (const batch of inBatches(keys, ASSESS_CONCURRENCY)) {
    context.df.setCustomStatus({ step: "AssessingKeys", assessed: assessments.length, total: keys.length });
    const assessed = (yield context.df.Task.all(
      batch.map((key) => context.df.callActivity(ASSESS_KEY, { key, nowMs: nowMs(context) })),
    )) as KeyAssessment[];
    assessments.push(...assessed);
  }
  result.assessed = assessments.length;
  for (const assessment of assessments.filter((candidate) => candidate.action === "None")) {
    result.unchanged.push({ key: keyPath(assessment.key), detail: assessment.detail });
  }

  const starts = assessments
    .filter((candidate) => candidate.action !== "None")
    .map((assessment) => startInputFor(assessment, sweptAtMs));
  for (const [index, window] of paceByVault(starts).entries()) {
    if (index > 0) yield context.df.createTimer(new Date(nowMs(context) + START_WINDOW_MS));
    context.df.setCustomStatus({
      step: "StartingRotations",
      started: result.started.length,
      total: starts.length,
    });
    // A start the task hub keeps refusing leaves that key for the next sweep; the others still start.
    const outcomes = yield* settleAll(
      context,
      window.map((start) => context.df.callActivityWithRetry(START_KEY_ROTATION, routineRetry(), start)),
      (reason): StartOutcome | { failure: string } => ({ failure: reason }),
    );
    window.forEach((start, position) => {
      const outcome = outcomes[position];
      if ("failure" in outcome)
        result.failed.push({
          key: keyPath(start.key),
          detail: `${start.action} could not be started (${outcome.failure}); the next sweep tries again.`,
        });
      else if (outcome.started)
        result.started.push({
          key: keyPath(start.key),
          action: start.trigger,
          rotationId: outcome.rotationId,
        });
      else result.busy.push({ key: keyPath(start.key), runningId: outcome.runningId });
    });
  }
  yield* retireWhereDue(context, assessments, result);
  yield* recordDriftOfEveryKey(context, keys, result);
  context.df.setCustomStatus({ step: "Done", started: result.started.length, total: starts.length });
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
): Steps<void> {
  const due = assessments.filter((assessment) => assessment.action === "None" && assessment.retirementDue);
  for (const batch of inBatches(due, ASSESS_CONCURRENCY)) {
    context.df.setCustomStatus({
      step: "RetiringVersions",
      retired: result.retired.length,
      total: due.length,
    });
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
        result.failed.push({
          key: keyPath(assessment.key),
          detail: `Retirement failed (${outcome.failure}); the next sweep tries again.`,
        });
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
): Steps<void> {
  let checked = 0;
  for (const batch of inBatches(keys, ASSESS_CONCURRENCY)) {
    context.df.setCustomStatus({ step: "CheckingConsumers", checked, total: keys.length });
    checked += batch.length;
    const outcomes = yield* settleAll(
      context,
      batch.map((key) =>
        context.df.callActivityWithRetry(RECORD_DRIFT, routineRetry(), { key, nowMs: nowMs(context) }),
      ),
      (reason): KeyDrift | { failure: string } => ({ failure: reason }),
    );
    batch.forEach((key, position) => {
      const outcome = outcomes[position];
      if ("failure" in outcome)
        result.failed.push({
          key: keyPath(key),
          detail: `Consumers could not be checked (${outcome.failure}).`,
        });
      else if (outcome.open + outcome.resolved > 0)
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

/**
 * Splits starts into windows holding at most ROTATIONS_PER_VAULT_PER_WINDOW new versions per
 * vault; drift repairs (no new version) all go in the first window.
 */
export function paceByVault(starts: readonly SweepStartInput[]): SweepStartInput[][] {
  const windows: SweepStartInput[][] = [];
  const rotationsPerVault = new Map<string, number>();
  for (const start of starts) {
    let windowIndex = 0;
    if (start.mode === "rotate") {
      const vault = start.key.vaultName.toLowerCase();
      const countSoFar = rotationsPerVault.get(vault) ?? 0;
      rotationsPerVault.set(vault, countSoFar + 1);
      windowIndex = Math.floor(countSoFar / ROTATIONS_PER_VAULT_PER_WINDOW);
    }
    while (windows.length <= windowIndex) windows.push([]);
    windows[windowIndex].push(start);
  }
  return windows.filter((window) => window.length > 0);
}
