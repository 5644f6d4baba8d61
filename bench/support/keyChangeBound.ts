// The change-key benchmark's bound: the admin API's own link/unlink time, measured by hand, times the operations made.
import { percentile } from "./stats";

export type MoveStrategy = "documented" | "direct";

/** Link/unlink operations one environment's move makes: documented = unlink, then link; direct = link only. */
export function operationsPerEnvironment(strategy: MoveStrategy): number {
  return strategy === "documented" ? 2 : 1;
}

/**
 * The least time moving `environments` one after another can take: the median of the operations made by hand
 * against the same admin API (each timed from its POST to the poll that saw it Succeeded, honouring Retry-After),
 * times the operations the moves need. Nothing a client does can make one operation end sooner than the service
 * lets it see that it ended.
 */
export function sequentialBoundMs(
  handOperationMs: readonly number[],
  environments: number,
  strategy: MoveStrategy,
): number {
  if (!Number.isInteger(environments) || environments < 0)
    throw new RangeError(`environments must be a whole number ≥ 0, got ${environments}`);
  return percentile(handOperationMs, 50) * environments * operationsPerEnvironment(strategy);
}
