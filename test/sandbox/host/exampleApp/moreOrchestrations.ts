// Smaller orchestrations for the host's tests: continueAsNew, a sub-orchestration, and a deliberately
// non-deterministic orchestrator the host must reject.
import type { OrchestrationContext, OrchestrationHandler } from "durable-functions";

export const COUNTDOWN_ORCHESTRATION = "CountdownOrchestration";
export const PARENT_ORCHESTRATION = "ParentOrchestration";
export const CHILD_ORCHESTRATION = "ChildOrchestration";
export const NON_DETERMINISTIC_ORCHESTRATION = "NonDeterministicOrchestration";
export const GREET = "Greet";
export const LONG_WAIT_ORCHESTRATION = "LongWaitOrchestration";

/** Waits `days` days on one durable timer (longer than the 6-day limit, so the extension splits it). */
export const longWaitOrchestration: OrchestrationHandler = function* (context: OrchestrationContext) {
  const days = context.df.getInput<number>();
  const startedAt = context.df.currentUtcDateTime.getTime();
  yield context.df.createTimer(new Date(startedAt + days * 24 * 3600_000));
  return { startedAt, resumedAt: context.df.currentUtcDateTime.getTime() };
};

/** Counts down to zero, one execution per step, through continueAsNew. */
export const countdownOrchestration: OrchestrationHandler = function* (context: OrchestrationContext) {
  const remaining = context.df.getInput<number>();
  yield context.df.callActivity(GREET, `step ${remaining}`);
  if (remaining > 0) {
    context.df.continueAsNew(remaining - 1);
    return undefined;
  }
  return "lift-off";
};

export const childOrchestration: OrchestrationHandler = function* (context: OrchestrationContext) {
  const name = context.df.getInput<string>();
  const greeting = (yield context.df.callActivity(GREET, name)) as string;
  return { greeting, parent: context.df.parentInstanceId };
};

export const parentOrchestration: OrchestrationHandler = function* (context: OrchestrationContext) {
  const names = context.df.getInput<string[]>();
  const children = names.map((name, i) =>
    context.df.callSubOrchestrator(CHILD_ORCHESTRATION, name, `${context.df.instanceId}-child-${i}`),
  );
  return (yield context.df.Task.all(children)) as unknown[];
};

/** Replay counter: makes the orchestrator choose a different activity on every replay (never do this). */
let replays = 0;

export const nonDeterministicOrchestration: OrchestrationHandler = function* (context: OrchestrationContext) {
  replays++;
  const first = replays % 2 === 1 ? GREET : "Shout";
  yield context.df.callActivity(first, "first");
  yield context.df.callActivity(GREET, "second");
  return "unreachable";
};

export function greet(name: string): string {
  return `hello ${name}`;
}
