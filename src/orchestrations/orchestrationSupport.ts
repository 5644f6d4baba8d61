// Small helpers the orchestrations share: the generator type, retry policies, orchestration time, error text.
import * as df from "durable-functions";
import type { OrchestrationContext, Task } from "durable-functions";

export type Steps<T> = Generator<Task, T, unknown>;

/**
 * Activities talk to one service each; they are retried four times beyond the SDK's own
 * Retry-After-aware retries, doubling the wait each time.
 */
function doublingRetry(firstRetryIntervalMs: number): df.RetryOptions {
  const options = new df.RetryOptions(firstRetryIntervalMs, 4);
  options.backoffCoefficient = 2;
  return options;
}

/** Routine work (rotation, sweep): first retry after 5 s, which rides out a service's short hiccup. */
export function routineRetry(): df.RetryOptions {
  return doublingRetry(5_000);
}

/** Emergency work (revocation, restore): first retry after 2 s, because every second of access counts. */
export function emergencyRetry(): df.RetryOptions {
  return doublingRetry(2_000);
}

/** The orchestration's clock (replay-safe), in epoch ms. */
export function nowMs(context: OrchestrationContext): number {
  return context.df.currentUtcDateTime.getTime();
}

/** The orchestration's clock (replay-safe), as ISO text for records. */
export function isoNow(context: OrchestrationContext): string {
  return context.df.currentUtcDateTime.toISOString();
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message.split("\n")[0] : String(error);
}
