// The rotateKey orchestration: the operator's runbook for rolling one customer-managed key out to every consumer.
import type { OrchestrationContext } from "durable-functions";
import { retireNotBeforeMs } from "../../lib/bindings/dueDates";
import {
  CREATE_KEY_VERSION,
  LOAD_ROTATION_PLAN,
  PUBLISH_OUTCOME,
  RECORD_ROTATION,
  RETIRE_PREVIOUS_VERSIONS,
} from "./activityNames";
import { errorText, routineRetry, nowMs, type Steps } from "../orchestrationSupport";
import { decideOutcome, VERSIONLESS_WATCH_MS } from "./outcome";
import { RotationRefused, RotationRun } from "./rotationRun";
import { updateTargets, watchVersionlessTargets } from "./targetSteps";
import type {
  CreatedOrRefused,
  NewVersion,
  RetirementInput,
  RetirementResult,
  RotateKeyInput,
  RotationPlan,
  RotationResult,
  RotationStatus,
} from "./types";

export function* rotateKey(context: OrchestrationContext): Steps<RotationResult> {
  const input = context.df.getInput<RotateKeyInput>();
  const run = new RotationRun(context, input, nowMs(context));

  // A sweep paces a fleet against Azure's limits: this rotation reads and writes nothing before its turn.
  if (input.notBeforeMs !== undefined && input.notBeforeMs > nowMs(context)) {
    run.show("WaitingForTurn");
    yield context.df.createTimer(new Date(input.notBeforeMs));
  }

  run.show("LoadingKey");
  const plan =
    input.plan ??
    ((yield context.df.callActivityWithRetry(LOAD_ROTATION_PLAN, routineRetry(), {
      ...input,
      nowMs: nowMs(context),
    })) as RotationPlan);
  run.plan = plan;
  run.targets = plan.targets.map((target) => ({ ...target, status: "Pending", detail: "", attempts: 0 }));
  if (plan.refusal) {
    run.detail = `${plan.refusal.code}: ${plan.refusal.reason}`;
    return yield* recordOutcome(context, run, "Skipped");
  }

  run.show("CreatingVersion");
  try {
    run.newVersion = yield* createOrTakeVersion(context, run, plan);
  } catch (error) {
    // A refusal (e.g. the key is being revoked) changed nothing: Skipped. Anything else: Failed.
    const wasRefused = error instanceof RotationRefused;
    run.detail = `The new key version could not be created: ${errorText(error)}`;
    return yield* recordOutcome(context, run, wasRefused ? "Skipped" : "Failed");
  }

  run.show("UpdatingTargets");
  yield* updateTargets(context, run);

  run.show("WatchingVersionlessTargets");
  yield* watchVersionlessTargets(context, run, nowMs(context) + VERSIONLESS_WATCH_MS);

  const result = yield* recordOutcome(context, run, decideOutcome(run.targets));
  if (result.status === "Failed") return result;
  return { ...result, retirement: yield* retireWhenDue(context, run) };
}

/**
 * Step 2, in one parallel round with the first record: the new version (exactly once: the activity
 * looks for the rotation's tag first), or in propagate mode the version someone else created.
 */
function* createOrTakeVersion(
  context: OrchestrationContext,
  run: RotationRun,
  plan: RotationPlan,
): Steps<NewVersion> {
  const { input } = run;
  const recording = context.df.callActivityWithRetry(RECORD_ROTATION, routineRetry(), run.record());
  if (input.mode === "propagate" && input.version !== undefined) {
    yield recording;
    return { version: input.version, createdOnMs: plan.versionCreatedOnMs ?? nowMs(context) };
  }
  const creating = context.df.callActivityWithRetry(CREATE_KEY_VERSION, routineRetry(), {
    rotationId: input.rotationId,
    vaultName: input.vaultName,
    keyName: input.keyName,
    expiresAfter: plan.expiresAfter,
    template: plan.template,
    nowMs: nowMs(context),
  });
  const [created] = (yield context.df.Task.all([creating, recording])) as [CreatedOrRefused, unknown];
  if ("refusal" in created) throw new RotationRefused(`${created.refusal.code}: ${created.refusal.reason}`);
  return created;
}

/** Step 5: record the outcome (audit) and publish it (notification topic, when configured). */
function* recordOutcome(
  context: OrchestrationContext,
  run: RotationRun,
  status: RotationStatus,
): Steps<RotationResult> {
  run.status = status;
  run.show("RecordingOutcome");
  const record = run.record(nowMs(context));
  yield context.df.callActivityWithRetry(RECORD_ROTATION, routineRetry(), record);
  yield context.df.callActivityWithRetry(PUBLISH_OUTCOME, routineRetry(), record);
  run.show("Done");
  return {
    rotationId: run.input.rotationId,
    status,
    newVersion: run.newVersion?.version,
    targets: run.targets,
  };
}

/**
 * Step 6: after retireAfter (never under 28 days with a Power Platform target, enforced by the plan),
 * disable older versions that no target pins. Versions are never deleted.
 */
function* retireWhenDue(
  context: OrchestrationContext,
  run: RotationRun,
): Steps<RetirementResult | undefined> {
  const { plan, newVersion } = run;
  if (!plan?.retireAfter || !newVersion) return undefined;
  run.retireNotBeforeMs = retireNotBeforeMs({ retireAfter: plan.retireAfter }, newVersion.createdOnMs);
  if (run.retireNotBeforeMs === undefined) return undefined;
  run.show("WaitingToRetire");
  if (run.retireNotBeforeMs > nowMs(context)) {
    yield context.df.createTimer(new Date(run.retireNotBeforeMs));
  }
  run.show("Retiring");
  const retirementInput: RetirementInput = {
    rotationId: run.input.rotationId,
    vaultName: run.input.vaultName,
    keyName: run.input.keyName,
    keepVersion: newVersion.version,
    targets: plan.targets,
    nowMs: nowMs(context),
  };
  const retirement = (yield context.df.callActivityWithRetry(
    RETIRE_PREVIOUS_VERSIONS,
    routineRetry(),
    retirementInput,
  )) as RetirementResult;
  run.show("Done");
  return retirement;
}
