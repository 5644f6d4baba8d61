// An example orchestration for the host's tests: activity, retry, fan-out, durable timer and external event.
import type { InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import type { OrchestrationContext, OrchestrationHandler } from "durable-functions";

export const EXAMPLE_ORCHESTRATION = "ExampleOrchestration";
export const PREPARE_BATCH = "PrepareBatch";
export const FLAKY_STEP = "FlakyStep";
export const PROCESS_ITEM = "ProcessItem";
export const APPROVAL_EVENT = "Approval";

/** Minutes the orchestration cools down between processing and asking for approval. */
export const COOL_DOWN_MINUTES = 5;
export const APPROVAL_TIMEOUT_MINUTES = 60;
/** A minute between attempts: long enough that real time never fires the retry timer during a test. */
export const FLAKY_RETRY = new df.RetryOptions(60_000, 3);

export interface ExampleInput {
  items: string[];
}

export interface ExampleOutput {
  batchSize: number;
  flaky: string;
  processed: string[];
  approved: boolean;
  finishedAt: string;
}

/** Side effects of the activities, kept per app load so tests can count executions (at-least-once switch). */
export const sideEffects = {
  processItemRuns: {} as Record<string, number>,
  flakyAttempts: {} as Record<string, number>,
};

export const exampleOrchestration: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = context.df.getInput<ExampleInput>();
  context.df.setCustomStatus({ step: "prepare" });
  const batch = (yield context.df.callActivity(PREPARE_BATCH, input)) as { batchSize: number };

  context.df.setCustomStatus({ step: "flaky" });
  const flaky = (yield context.df.callActivityWithRetry(FLAKY_STEP, FLAKY_RETRY, {
    key: context.df.instanceId,
  })) as string;

  context.df.setCustomStatus({ step: "fan-out" });
  const processed = (yield context.df.Task.all(
    input.items.map((item) => context.df.callActivity(PROCESS_ITEM, item)),
  )) as string[];

  context.df.setCustomStatus({ step: "cool-down" });
  const coolDownUntil = new Date(context.df.currentUtcDateTime.getTime() + COOL_DOWN_MINUTES * 60_000);
  yield context.df.createTimer(coolDownUntil);

  context.df.setCustomStatus({ step: "approval" });
  const deadline = new Date(context.df.currentUtcDateTime.getTime() + APPROVAL_TIMEOUT_MINUTES * 60_000);
  const approvalEvent = context.df.waitForExternalEvent(APPROVAL_EVENT);
  const timeout = context.df.createTimer(deadline);
  const winner: unknown = yield context.df.Task.any([approvalEvent, timeout]);
  const approved = winner === approvalEvent && approvalEvent.result === true;
  if (!timeout.isCompleted) timeout.cancel();

  context.df.setCustomStatus({ step: "done" });
  const output: ExampleOutput = {
    batchSize: batch.batchSize,
    flaky,
    processed,
    approved,
    finishedAt: context.df.currentUtcDateTime.toISOString(),
  };
  return output;
};

export function prepareBatch(input: ExampleInput): { batchSize: number } {
  return { batchSize: input.items.length };
}

/** Fails on its first attempt for a key, then succeeds: exercises callActivityWithRetry. */
export function flakyStep(input: { key: string }, context: InvocationContext): string {
  const attempts = (sideEffects.flakyAttempts[input.key] ?? 0) + 1;
  sideEffects.flakyAttempts[input.key] = attempts;
  context.log(`flaky attempt ${attempts} for ${input.key}`);
  if (attempts === 1) throw new Error("transient failure, try again");
  return `ok after ${attempts} attempts`;
}

export function processItem(item: string): string {
  sideEffects.processItemRuns[item] = (sideEffects.processItemRuns[item] ?? 0) + 1;
  return item.toUpperCase();
}
