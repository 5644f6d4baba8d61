// Small helpers the orchestrations share: the generator type, retry options, orchestration time, error text.
import * as df from "durable-functions";
import type { OrchestrationContext, Task } from "durable-functions";

export type Steps<T> = Generator<Task, T, unknown>;

/** Load, create and record steps talk to one service each; retry them a few times beyond the SDK's own retries. */
export function infrastructureRetry(): df.RetryOptions {
  const options = new df.RetryOptions(5_000, 4);
  options.backoffCoefficient = 2;
  return options;
}

export function nowMs(context: OrchestrationContext): number {
  return context.df.currentUtcDateTime.getTime();
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message.split("\n")[0] : String(error);
}
