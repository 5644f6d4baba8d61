// The sweepKeys orchestration: the pass over every bound key (scheduled or on demand) that rotates what is due and repairs drift.
import type { OrchestrationContext } from "durable-functions";
import type { HeadroomObservation } from "../../lib/azure/armHeadroom";
import { errorText, isoNow, nowMs, routineRetry, type Steps } from "../orchestrationSupport";
import { deterministicRotationId } from "../../starters/rotations/startRotation";
import { settleAll } from "../settleAll";
import { RETIRE_PREVIOUS_VERSIONS } from "../rotateKey/activityNames";
import type { RetirementInput, RetirementResult, TargetRef } from "../rotateKey/types";
import {
  ASSESS_KEYS,
  FIND_CONSUMERS,
  LIST_BOUND_KEYS,
  RECORD_DRIFT,
  RECORD_SWEEP,
  START_KEY_ROTATION,
} from "./activityNames";
import { ASSESS_CONCURRENCY, HEADROOM_MAX_AGE_MS, START_LEAD_MS, TURN_WINDOW_MS } from "./limits";
import { LimitModel } from "./limitModel";
import { planTurns, takingTurnsAcrossVaults } from "./planTurns";
import { SweepKeyStates } from "./sweepKeyStates";
import { sweepIdOfInstance } from "./sweepIds";
import type {
  BoundKey,
  BoundKeys,
  ConsumerSnapshot,
  FoundConsumer,
  KeyAssessment,
  KeyAssessments,
  KeyDrift,
  SweepInput,
  SweepKey,
  SweepRecordInput,
  SweepResult,
  SweepStartInput,
  SweepStartOutcome,
} from "./types";
import { NO_COST, rotationCost, sumOfCosts, type WorkCost } from "./workCost";

const keyPath = (key: SweepKey): string => `${key.vaultName}/${key.keyName}`;
const justTheKey = ({ vaultName, keyName }: SweepKey): SweepKey => ({ vaultName, keyName });

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

  // Azure's limits as this sweep spends them: rebuilt on every replay from the history, on any worker.
  const limits = new LimitModel();

  show("ListingKeys");
  const listed = (yield context.df.callActivity(LIST_BOUND_KEYS, { reason: input.reason })) as BoundKeys;
  const vaultFilter = input.vaultName?.toLowerCase();
  const keys = listed.keys.filter(
    (key) => vaultFilter === undefined || key.vaultName.toLowerCase() === vaultFilter,
  );
  progress.track(keys.map(keyPath));

  show("FindingConsumers");
  const found = yield* findConsumers(context, keys);

  const assessments = yield* assessEveryKey(context, keys, input.force === true, limits, progress);
  result.assessed = assessments.length;
  for (const assessment of assessments.filter((candidate) => candidate.action === "None")) {
    result.unchanged.push({ key: keyPath(assessment.key), detail: assessment.detail });
  }

  const starts = takingTurnsAcrossVaults(
    assessments
      .filter((candidate) => candidate.action !== "None")
      .map((assessment) => startInputFor(assessment, sweptAtMs, found.of(assessment.key))),
    (start) => start.key.vaultName,
  );
  const lastTurnMs = yield* startInTurns(context, starts, limits, result, progress);
  // What follows reads the same keys and targets: it waits until the last rotation has had its turn and a window to work.
  if (lastTurnMs !== undefined && lastTurnMs + TURN_WINDOW_MS > nowMs(context)) {
    show("WaitingForRotations");
    yield context.df.createTimer(new Date(lastTurnMs + TURN_WINDOW_MS));
  }
  yield* retireWhereDue(context, assessments, result, progress);
  // A second snapshot only when this sweep's rotations may have changed what the first one saw.
  show("CheckingConsumers");
  const foundAfter = result.started.length > 0 ? yield* findConsumers(context, keys) : found;
  yield* recordDriftOfEveryKey(context, keys, foundAfter, limits, result, progress);
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

/** What a snapshot found per key; `of` is undefined for every key when the snapshot failed. */
interface FoundByKey {
  of(key: SweepKey): FoundConsumer[] | undefined;
}

/**
 * Step 1 (and again before the drift check): one Resource Graph snapshot for all the keys' vaults
 * (two queries and their pages). When it fails, every rotation and drift check asks Resource Graph
 * itself, as without a sweep.
 */
function* findConsumers(context: OrchestrationContext, keys: readonly SweepKey[]): Steps<FoundByKey> {
  const vaultNames = [...new Map(keys.map((key) => [key.vaultName.toLowerCase(), key.vaultName])).values()];
  if (vaultNames.length === 0) return { of: () => [] };
  let snapshot: ConsumerSnapshot;
  try {
    snapshot = (yield context.df.callActivity(FIND_CONSUMERS, { vaultNames })) as ConsumerSnapshot;
  } catch (error) {
    snapshot = { failure: errorText(error) };
  }
  if ("failure" in snapshot) return { of: () => undefined };
  const byKey = new Map<string, FoundConsumer[]>();
  for (const { vaultName, keyName, kind, resourceId, mode, reference } of snapshot.consumers) {
    const path = keyPath({ vaultName, keyName }).toLowerCase();
    byKey.set(path, [...(byKey.get(path) ?? []), { kind, resourceId, mode, reference }]);
  }
  return { of: (key) => byKey.get(keyPath(key).toLowerCase()) ?? [] };
}

/**
 * Step 2: keys are assessed `ASSESS_CONCURRENCY` at a time, a batch per activity. An unforced
 * assessment reads each pinned target (drift check), so each batch waits until ARM's read bucket has
 * room for it; a forced one reads no ARM.
 */
function* assessEveryKey(
  context: OrchestrationContext,
  keys: readonly BoundKey[],
  isForced: boolean,
  limits: LimitModel,
  progress: SweepKeyStates,
): Steps<KeyAssessment[]> {
  const assessments: KeyAssessment[] = [];
  for (const batch of inBatches(keys, ASSESS_CONCURRENCY)) {
    context.df.setCustomStatus(progress.status("AssessingKeys"));
    if (!isForced)
      yield* waitForRoom(context, limits, sumOfCosts(batch.map((key) => key.assessmentCost ?? NO_COST)));
    const { assessments: assessed } = (yield context.df.callActivityWithRetry(ASSESS_KEYS, routineRetry(), {
      keys: batch.map(justTheKey),
      nowMs: nowMs(context),
      ...(isForced ? { force: true } : {}),
    })) as KeyAssessments;
    for (const assessment of assessed)
      progress.set(keyPath(assessment.key), assessment.action === "None" ? "Unchanged" : "Waiting");
    assessments.push(...assessed);
  }
  return assessments;
}

/** Spends `cost` at the earliest moment the model allows, waiting for it on a durable timer. */
function* waitForRoom(context: OrchestrationContext, limits: LimitModel, cost: WorkCost): Steps<void> {
  const atMs = limits.earliestFit(cost, nowMs(context));
  limits.spend(cost, atMs);
  if (atMs > nowMs(context)) yield context.df.createTimer(new Date(atMs));
}

/**
 * Step 3: every rotation gets a turn, the earliest moment each limit it spends has room (in the
 * order of `takingTurnsAcrossVaults`, no overtaking). The sweep hands out one window of turns at a
 * time: it starts those rotations at once, each waiting on its own durable timer for its turn, then
 * lowers its model with the ARM headroom the starts reported, and sleeps until just before the next
 * turn. A 429 is still possible (another caller, a slow worker): the SDK waits its Retry-After, the
 * rotation's own retries follow, and the next window's headroom reflects it. Answers the last turn.
 */
function* startInTurns(
  context: OrchestrationContext,
  starts: readonly SweepStartInput[],
  limits: LimitModel,
  result: SweepResult,
  progress: SweepKeyStates,
): Steps<number | undefined> {
  let waiting = starts;
  let lastTurnMs: number | undefined;
  while (waiting.length > 0) {
    const firstTurnMs = nowMs(context) + START_LEAD_MS;
    const { turns, rest } = planTurns(limits, waiting, costOf, firstTurnMs, firstTurnMs + TURN_WINDOW_MS);
    waiting = rest;
    lastTurnMs = turns.at(-1)?.atMs ?? lastTurnMs;
    context.df.setCustomStatus(progress.status("StartingRotations"));
    // A start the task hub keeps refusing leaves that key for the next sweep; the others still start.
    const outcomes = yield* settleAll(
      context,
      turns.map((turn) =>
        context.df.callActivityWithRetry(START_KEY_ROTATION, routineRetry(), {
          ...turn.item,
          notBeforeMs: turn.atMs,
        }),
      ),
      (reason): SweepStartOutcome | { failure: string } => ({ failure: reason }),
    );
    turns.forEach(({ item: start }, position) => {
      const outcome = outcomes[position];
      const path = keyPath(start.key);
      if ("failure" in outcome) {
        const detail = `${start.action} could not be started (${outcome.failure}); the next sweep tries again.`;
        result.failed.push({ key: path, detail });
        progress.set(path, "Failed");
        progress.noteFailure(path, detail);
        return;
      }
      observeHeadroom(limits, outcome.observedHeadroom ?? [], nowMs(context));
      if (outcome.started) {
        result.started.push({ key: path, action: start.trigger, rotationId: outcome.rotationId });
        progress.set(path, "Started");
      } else {
        result.busy.push({ key: path, runningId: outcome.runningId });
        progress.set(path, "Busy");
      }
    });
    // Shown while the next window's timer runs: what started, and who is still waiting.
    context.df.setCustomStatus(progress.status("StartingRotations"));
    if (waiting.length === 0) break;
    const nextTurnMs = limits.earliestFit(costOf(waiting[0]), firstTurnMs + TURN_WINDOW_MS);
    const wakeMs = nextTurnMs - START_LEAD_MS;
    if (wakeMs > nowMs(context)) yield context.df.createTimer(new Date(wakeMs));
  }
  return lastTurnMs;
}

/** Lowers the model to what ARM last reported per subscription (fresh reports only). */
function observeHeadroom(
  limits: LimitModel,
  observations: readonly HeadroomObservation[],
  atMs: number,
): void {
  for (const observation of observations) {
    if (observation.ageMs > HEADROOM_MAX_AGE_MS) continue;
    const limit = observation.kind === "reads" ? "armReads" : "armWrites";
    limits.observe(limit, observation.subscriptionId, observation.remaining, atMs, observation.ageMs);
  }
}

/** A start without a cost (an older sweep's input) spends one create in its vault when it makes a version. */
function costOf(start: SweepStartInput): WorkCost {
  return (
    start.cost ??
    rotationCost({ vaultName: start.key.vaultName, isNewVersion: start.mode === "rotate", targets: [] })
  );
}

/**
 * Rotation ids are deterministic per cause, so a sweep that runs twice still makes one version per
 * due key. A binding that adopts discovered consumers has the rotation update them too, so they are
 * charged as well.
 */
function startInputFor(
  assessment: KeyAssessment,
  sweptAtMs: number,
  found: FoundConsumer[] | undefined,
): SweepStartInput {
  const { key, currentVersion = "" } = assessment;
  const discovered: TargetRef[] | undefined = found?.map(({ kind, resourceId, mode }) => ({
    kind,
    resourceId,
    mode,
  }));
  const adopted = assessment.adoptsDiscovered && discovered ? discovered : [];
  const cost = sumOfCosts([
    assessment.cost ?? NO_COST,
    rotationCost({ vaultName: key.vaultName, isNewVersion: false, targets: adopted }),
  ]);
  const shared = {
    key: justTheKey(key),
    trigger: "ScheduledSweep" as const,
    reason: assessment.detail,
    ...(assessment.cost ? { cost } : {}),
    ...(discovered ? { discovered } : {}),
  };
  if (assessment.action === "Rotate") {
    return {
      ...shared,
      action: "Rotate",
      mode: "rotate",
      rotationId: deterministicRotationId("sweep", key.vaultName, key.keyName, currentVersion),
    };
  }
  return {
    ...shared,
    action: "RepairDrift",
    mode: "propagate",
    version: currentVersion,
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
 * Step 4: old versions whose rotation did not retire them (a consumer still used them, or discovery
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

/**
 * Step 5: every bound key's consumers against its binding, a batch at a time, each batch when ARM's read
 * bucket has room for its reads; a key whose consumers cannot be read is listed in failed.
 */
function* recordDriftOfEveryKey(
  context: OrchestrationContext,
  keys: readonly BoundKey[],
  found: FoundByKey,
  limits: LimitModel,
  result: SweepResult,
  progress: SweepKeyStates,
): Steps<void> {
  for (const batch of inBatches(keys, ASSESS_CONCURRENCY)) {
    context.df.setCustomStatus(progress.status("CheckingConsumers"));
    yield* waitForRoom(context, limits, sumOfCosts(batch.map((key) => key.driftCheckCost ?? NO_COST)));
    const outcomes = yield* settleAll(
      context,
      batch.map((key) => {
        const foundOfKey = found.of(key);
        return context.df.callActivityWithRetry(RECORD_DRIFT, routineRetry(), {
          key: justTheKey(key),
          nowMs: nowMs(context),
          ...(foundOfKey ? { found: foundOfKey } : {}),
        });
      }),
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
