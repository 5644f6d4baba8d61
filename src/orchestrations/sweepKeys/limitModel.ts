// The sweep's model of Azure's limits over orchestration time: when work fits, what it spends, what headroom says (pure).
import { AZURE_LIMITS, SWEEP_MARGIN, type LimitName, type RateLimit, type SafetyMargin } from "./limits";
import type { LimitCharge, WorkCost } from "./workCost";

interface BucketState {
  /** Usable tokens (above the reserve) at `atMs`; negative after a charge bigger than the bucket. */
  level: number;
  atMs: number;
}

interface WindowGrant {
  atMs: number;
  count: number;
}

/** Floating-point slack when comparing token levels. */
const EPSILON = 1e-9;

/**
 * Token buckets (ARM, Storage's provider) and sliding windows (Key Vault), one per limit and scope,
 * as the sweep expects Azure to hold them after what it has handed out. Deterministic: the same
 * calls in the same order give the same answers, so an orchestration can rebuild it on every replay
 * from its history, and no worker's memory holds any of it. Time only moves forward: charges are
 * spent in the order of their times.
 *
 * A bucket nobody has charged yet is taken as full; headroom ARM reported (`observe`) can only lower
 * a level. The margin keeps part of every burst and window in reserve and counts the refill short.
 */
export class LimitModel {
  private readonly buckets = new Map<string, BucketState>();
  private readonly windows = new Map<string, WindowGrant[]>();

  constructor(
    private readonly limits: Readonly<Record<LimitName, RateLimit>> = AZURE_LIMITS,
    private readonly margin: SafetyMargin = SWEEP_MARGIN,
  ) {}

  /** The earliest time at or after `atMs` when every charge of `cost` fits. */
  earliestFit(cost: WorkCost, atMs: number): number {
    // Levels only rise and windows only empty while nothing is spent, so a charge that fits stays fitting.
    return cost.charges.reduce((latest, charge) => Math.max(latest, this.earliestFor(charge, atMs)), atMs);
  }

  /** Spends `cost` at `atMs` (call it with non-decreasing times). */
  spend(cost: WorkCost, atMs: number): void {
    for (const charge of cost.charges) {
      if (charge.count <= 0) continue;
      const limit = this.limits[charge.limit];
      const key = keyOf(charge);
      if (limit.model === "tokenBucket") {
        const level = this.bucketLevel(key, limit, atMs);
        const last = this.buckets.get(key)?.atMs ?? atMs;
        this.buckets.set(key, { level: level - charge.count, atMs: Math.max(atMs, last) });
      } else {
        const grants = this.windows.get(key) ?? [];
        const windowMs = limit.windowMs + this.margin.windowSlackMs;
        while (grants.length > 0 && grants[0].atMs <= atMs - windowMs) grants.shift();
        grants.push({ atMs, count: charge.count });
        this.windows.set(key, grants);
      }
    }
  }

  /**
   * What a headroom header said `ageMs` before `atMs`: `remaining` requests left in the bucket. Other
   * callers spend the same bucket, so a level above what Azure reports (less the reserve, plus the
   * refill since) is lowered to it; a report above the model changes nothing, since the model has
   * already spent turns whose calls Azure has not seen yet.
   */
  observe(limitName: LimitName, scope: string, remaining: number, atMs: number, ageMs = 0): void {
    const limit = this.limits[limitName];
    if (limit.model !== "tokenBucket" || !Number.isFinite(remaining)) return;
    const key = keyOf({ limit: limitName, scope });
    const reserve = this.reserve(limit.burst);
    const refill = this.refillPerMs(limit) * Math.max(0, ageMs);
    const reported = Math.min(this.capacity(limit), remaining - reserve + refill);
    const modelled = this.bucketLevel(key, limit, atMs);
    if (reported + EPSILON >= modelled) return;
    const last = this.buckets.get(key)?.atMs ?? atMs;
    this.buckets.set(key, { level: reported, atMs: Math.max(atMs, last) });
  }

  /** Usable units left in a limit's scope at `atMs` (a bucket's tokens above the reserve; a window's free creates). */
  available(limitName: LimitName, scope: string, atMs: number): number {
    const limit = this.limits[limitName];
    const key = keyOf({ limit: limitName, scope });
    if (limit.model === "tokenBucket") return this.bucketLevel(key, limit, atMs);
    return this.windowCapacity(limit) - this.windowUsed(key, limit, atMs);
  }

  private earliestFor(charge: LimitCharge, atMs: number): number {
    if (charge.count <= 0) return atMs;
    const limit = this.limits[charge.limit];
    const key = keyOf(charge);
    if (limit.model === "tokenBucket") {
      // A charge bigger than the whole bucket waits for a full bucket and leaves it in debt.
      const needed = Math.min(charge.count, this.capacity(limit));
      const level = this.bucketLevel(key, limit, atMs);
      if (level + EPSILON >= needed) return atMs;
      return atMs + Math.ceil((needed - level) / this.refillPerMs(limit));
    }
    const capacity = this.windowCapacity(limit);
    const windowMs = limit.windowMs + this.margin.windowSlackMs;
    let used = this.windowUsed(key, limit, atMs);
    if (used === 0 || used + charge.count <= capacity) return atMs;
    // Grants leave the window oldest first; wait until enough have left (or all: a charge bigger than the window).
    for (const grant of this.windows.get(key) ?? []) {
      if (grant.atMs <= atMs - windowMs) continue;
      used -= grant.count;
      if (used === 0 || used + charge.count <= capacity) return Math.max(atMs, grant.atMs + windowMs);
    }
    return atMs;
  }

  /** What stays unspent of a burst or a window: a share of it, and never less than the minimum. */
  private reserve(size: number): number {
    return Math.min(size - 1, Math.max(size * this.margin.reserveShare, this.margin.minimumReserve));
  }

  private capacity(limit: Extract<RateLimit, { model: "tokenBucket" }>): number {
    return limit.burst - this.reserve(limit.burst);
  }

  private refillPerMs(limit: Extract<RateLimit, { model: "tokenBucket" }>): number {
    return (limit.refillPerSecond * this.margin.refillShare) / 1000;
  }

  private bucketLevel(
    key: string,
    limit: Extract<RateLimit, { model: "tokenBucket" }>,
    atMs: number,
  ): number {
    const state = this.buckets.get(key);
    const capacity = this.capacity(limit);
    if (!state) return capacity;
    return Math.min(capacity, state.level + Math.max(0, atMs - state.atMs) * this.refillPerMs(limit));
  }

  private windowCapacity(limit: Extract<RateLimit, { model: "window" }>): number {
    return Math.max(1, Math.floor(limit.perWindow - this.reserve(limit.perWindow)));
  }

  private windowUsed(key: string, limit: Extract<RateLimit, { model: "window" }>, atMs: number): number {
    const windowMs = limit.windowMs + this.margin.windowSlackMs;
    return (this.windows.get(key) ?? [])
      .filter((grant) => grant.atMs > atMs - windowMs)
      .reduce((sum, grant) => sum + grant.count, 0);
  }
}

function keyOf(charge: Pick<LimitCharge, "limit" | "scope">): string {
  return `${charge.limit}|${charge.scope.toLowerCase()}`;
}
