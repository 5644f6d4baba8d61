// ARM's and the Storage resource provider's request throttling: token buckets, 429 + Retry-After, remaining headers.
import { ArmError } from "../http/armHttp";

/** A token bucket in real time: the SDK's retry waits real seconds, so virtual time would never refill it. */
class TokenBucket {
  private tokens: number;
  private lastRefillMs: number;

  constructor(
    private readonly capacity: number,
    private readonly refillPerSecond: number,
  ) {
    this.tokens = capacity;
    this.lastRefillMs = Date.now();
  }

  /** Takes one token; when none is left, says how many seconds until one is. */
  take(): { allowed: boolean; remaining: number; retryAfterSeconds: number } {
    this.refill();
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { allowed: true, remaining: Math.floor(this.tokens), retryAfterSeconds: 0 };
    }
    const retryAfterSeconds = Math.max(1, Math.ceil((1 - this.tokens) / this.refillPerSecond));
    return { allowed: false, remaining: 0, retryAfterSeconds };
  }

  private refill(): void {
    const nowMs = Date.now();
    this.tokens = Math.min(
      this.capacity,
      this.tokens + ((nowMs - this.lastRefillMs) / 1000) * this.refillPerSecond,
    );
    this.lastRefillMs = nowMs;
  }
}

/** Limits from docs azure-resource-manager request-limits-and-throttling and Storage's scalability targets. */
export const ARM_LIMITS: ArmThrottlingLimits = {
  subscriptionWrites: { capacity: 200, refillPerSecond: 10 },
  subscriptionReads: { capacity: 250, refillPerSecond: 25 },
  storageWrites: { capacity: 10, refillPerSecond: 10 },
  // Assumption: the Power Platform admin API publishes no limit of its own; Dataverse's service protection limit
  // (6,000 requests per user in a 5-minute window, docs "Service protection API limits") stands in for it.
  adminApiRequests: { capacity: 6000, refillPerSecond: 20 },
};

export interface BucketLimits {
  capacity: number;
  refillPerSecond: number;
}

export interface ArmThrottlingLimits {
  subscriptionWrites: BucketLimits;
  subscriptionReads: BucketLimits;
  storageWrites: BucketLimits;
  /** The Power Platform admin API (environments, link/unlink), per calling user. */
  adminApiRequests: BucketLimits;
}

export type RequestKind = "read" | "write";

/** The limits the emulator counts requests against, in Azure's own terms. */
export type ArmLimitName = "subscriptionReads" | "subscriptionWrites" | "storageWrites" | "adminApiRequests";

/** Requests one limit served and answered 429 in one scope (`<subscription>|<principal>`, a subscription, or a principal). */
export interface LimitRequestCount {
  limit: ArmLimitName;
  scope: string;
  served: number;
  throttled: number;
}

/**
 * Requests per limit and scope, counted whether throttling is on or off, so a benchmark can set what a run
 * really asked of each limit beside the limit itself.
 */
export class RequestCounter {
  private readonly counts = new Map<string, LimitRequestCount>();

  add(limit: ArmLimitName, scope: string, wasThrottled: boolean): void {
    const key = `${limit}|${scope}`;
    let count = this.counts.get(key);
    if (!count) {
      count = { limit, scope, served: 0, throttled: 0 };
      this.counts.set(key, count);
    }
    if (wasThrottled) count.throttled++;
    else count.served++;
  }

  all(): LimitRequestCount[] {
    return [...this.counts.values()].map((count) => ({ ...count }));
  }

  reset(): void {
    this.counts.clear();
  }
}

/** Per subscription-and-principal buckets for ARM, plus Storage's per-subscription write bucket. */
export class Throttling {
  private readonly buckets = new Map<string, TokenBucket>();
  /** How many requests were answered 429 since start (diagnostics and tests). */
  throttledRequests = 0;
  /** Requests per limit and scope, served or answered 429 (counted with throttling off too). */
  readonly counter = new RequestCounter();

  private readonly limits: ArmThrottlingLimits;

  /** `limits` replaces Azure's figures (tests use small buckets to be independent of machine speed). */
  constructor(
    public enabled: boolean,
    limits: Partial<ArmThrottlingLimits> = {},
  ) {
    this.limits = { ...ARM_LIMITS, ...limits };
  }

  /**
   * Charges one request; returns the `x-ms-ratelimit-remaining-*` headers to send, or throws a 429 ArmError
   * with Retry-After when a bucket is empty.
   */
  charge(
    kind: RequestKind,
    subscriptionId: string,
    principalId: string,
    isStorageWrite: boolean,
  ): Record<string, string> {
    const armLimit: ArmLimitName = kind === "read" ? "subscriptionReads" : "subscriptionWrites";
    const armScope = `${subscriptionId}|${principalId}`;
    if (!this.enabled) {
      this.counter.add(armLimit, armScope, false);
      if (isStorageWrite) this.counter.add("storageWrites", subscriptionId, false);
      return {};
    }
    const limits = kind === "read" ? this.limits.subscriptionReads : this.limits.subscriptionWrites;
    const headerName = `x-ms-ratelimit-remaining-subscription-${kind === "read" ? "reads" : "writes"}`;
    const arm = this.bucket(`${kind}|${subscriptionId}|${principalId}`, limits).take();
    this.counter.add(armLimit, armScope, !arm.allowed);
    if (!arm.allowed) {
      this.throttledRequests++;
      throw tooManyRequests(arm.retryAfterSeconds, { [headerName]: "0" });
    }
    if (isStorageWrite) {
      const storage = this.bucket(`storage-write|${subscriptionId}`, this.limits.storageWrites).take();
      this.counter.add("storageWrites", subscriptionId, !storage.allowed);
      if (!storage.allowed) {
        this.throttledRequests++;
        throw tooManyRequests(storage.retryAfterSeconds, { [headerName]: String(arm.remaining) });
      }
    }
    return { [headerName]: String(arm.remaining) };
  }

  /** Charges one Power Platform admin API request (its own budget, not ARM's). */
  chargeAdminApi(principalId: string): Record<string, string> {
    if (!this.enabled) {
      this.counter.add("adminApiRequests", principalId, false);
      return {};
    }
    const taken = this.bucket(`admin|${principalId}`, this.limits.adminApiRequests).take();
    this.counter.add("adminApiRequests", principalId, !taken.allowed);
    if (!taken.allowed) {
      this.throttledRequests++;
      throw tooManyRequests(taken.retryAfterSeconds, {});
    }
    return {};
  }

  private bucket(key: string, limits: BucketLimits): TokenBucket {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(limits.capacity, limits.refillPerSecond);
      this.buckets.set(key, bucket);
    }
    return bucket;
  }
}

function tooManyRequests(retryAfterSeconds: number, headers: Record<string, string>): ArmError {
  return new ArmError(
    429,
    "TooManyRequests",
    `The request is being throttled. Retry after ${retryAfterSeconds} seconds.`,
    { ...headers, "retry-after": String(retryAfterSeconds) },
  );
}
