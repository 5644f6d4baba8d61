// The least time Azure's limits allow for a number of requests: each limit's own model, applied to counts from a run (pure).

/** A token bucket: `burst` at once, then `refillPerSecond` (ARM, Storage's provider). */
export interface BucketLimit {
  burst: number;
  refillPerSecond: number;
}

/** At most `perWindow` requests in any `windowMs` (Key Vault, Resource Graph). */
export interface CountWindowLimit {
  perWindow: number;
  windowMs: number;
}

/** A full bucket spends its burst at once; every request past it waits for the refill. */
export function bucketBoundMs(requests: number, limit: BucketLimit): number {
  return (Math.max(0, requests - limit.burst) / limit.refillPerSecond) * 1000;
}

/** The first window takes `perWindow` at once; every further window starts one window later. */
export function windowBoundMs(requests: number, limit: CountWindowLimit): number {
  if (requests <= 0) return 0;
  return (Math.ceil(requests / limit.perWindow) - 1) * limit.windowMs;
}

/** One limit's bound in one scope (vault, subscription and principal, ...) for what a run asked of it. */
export interface LimitBound {
  /** What the limit is, e.g. "Storage provider writes". */
  limit: string;
  scope: string;
  requests: number;
  boundMs: number;
  /** How the bound was computed, in words and figures. */
  formula: string;
}

export function bucketBound(
  limit: string,
  scope: string,
  requests: number,
  figures: BucketLimit,
): LimitBound {
  return {
    limit,
    scope,
    requests,
    boundMs: bucketBoundMs(requests, figures),
    formula: `max(0, ${requests} − ${figures.burst}) ÷ ${figures.refillPerSecond}/s`,
  };
}

export function windowBound(
  limit: string,
  scope: string,
  requests: number,
  figures: CountWindowLimit,
): LimitBound {
  const windows = requests <= 0 ? 0 : Math.ceil(requests / figures.perWindow);
  return {
    limit,
    scope,
    requests,
    boundMs: windowBoundMs(requests, figures),
    formula: `${windows} windows of ${figures.perWindow} per ${figures.windowMs / 1000} s`,
  };
}

/** The bound of a run: the slowest limit (the first of equals). Undefined for no limits. */
export function slowestLimit(bounds: readonly LimitBound[]): LimitBound | undefined {
  return bounds.reduce<LimitBound | undefined>(
    (slowest, bound) => (slowest === undefined || bound.boundMs > slowest.boundMs ? bound : slowest),
    undefined,
  );
}
