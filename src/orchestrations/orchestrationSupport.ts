// Small helpers the orchestrations share: the generator type, retry options, orchestration time, error text.
import * as df from "durable-functions";
import type { OrchestrationContext, Task } from "durable-functions";

export type Steps<T> = Generator<Task, T, unknown>;

/**
 * Activities talk to one service each; retry them a few times beyond the SDK's own Retry-After-aware retries,
 * doubling the wait from `firstRetryIntervalMs` (rotation and sweep steps: 5 s).
 */
export function infrastructureRetry(firstRetryIntervalMs = 5_000): df.RetryOptions {
  const options = new df.RetryOptions(firstRetryIntervalMs, 4);
  options.backoffCoefficient = 2;
  return options;
}

export function nowMs(context: OrchestrationContext): number {
  return context.df.currentUtcDateTime.getTime();
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message.split("\n")[0] : String(error);
}
