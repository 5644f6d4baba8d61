// Resource Graph's per-user quota: N queries per fixed window, the x-ms-user-quota-* headers, 429 RateLimiting.
import { ArmError } from "../http/armHttp";

export interface ResourceGraphQuota {
  queriesPerWindow: number;
  windowMs: number;
}

/** docs governance/resource-graph concepts/guidance-for-throttled-requests: 15 queries per 5 seconds per user. */
export const RESOURCE_GRAPH_QUOTA: ResourceGraphQuota = { queriesPerWindow: 15, windowMs: 5_000 };

interface QuotaWindow {
  startMs: number;
  used: number;
}

/** Wall-clock windows (the SDK's retries wait real seconds), one per caller. */
export class UserQuota {
  private readonly windows = new Map<string, QuotaWindow>();
  private quota: ResourceGraphQuota = { ...RESOURCE_GRAPH_QUOTA };
  /** Queries answered 429 since start (diagnostics and tests). */
  throttledQueries = 0;
  /** Queries per caller, served or answered 429 (counted whether the quota is enforced or not). */
  private readonly counts = new Map<string, { served: number; throttled: number }>();

  constructor(private readonly isEnforced: () => boolean) {}

  current(): ResourceGraphQuota {
    return { ...this.quota };
  }

  /** Queries per caller since start (or the last reset): served, and answered 429. */
  requestCounts(): { principalId: string; served: number; throttled: number }[] {
    return [...this.counts].map(([principalId, count]) => ({ principalId, ...count }));
  }

  resetRequestCounts(): void {
    this.counts.clear();
  }

  /** Changes the quota and starts every caller on a fresh window. */
  set(quota: ResourceGraphQuota): void {
    this.quota = { ...quota };
    this.windows.clear();
  }

  /** Counts one query; returns the quota headers, or throws 429 (which uses no quota) when the window is spent. */
  charge(principalId: string, nowMs = Date.now()): Record<string, string> {
    let window = this.windows.get(principalId);
    if (!window || nowMs - window.startMs >= this.quota.windowMs) {
      window = { startMs: nowMs, used: 0 };
      this.windows.set(principalId, window);
    }
    const resetsInMs = window.startMs + this.quota.windowMs - nowMs;
    const count = this.counts.get(principalId) ?? { served: 0, throttled: 0 };
    this.counts.set(principalId, count);
    if (window.used >= this.quota.queriesPerWindow && this.isEnforced()) {
      this.throttledQueries++;
      count.throttled++;
      const retryAfterSeconds = Math.max(1, Math.ceil(resetsInMs / 1000));
      throw new ArmError(
        429,
        "RateLimiting",
        `Please provide below info when asking for support: the user quota of ${this.quota.queriesPerWindow} queries per ${this.quota.windowMs / 1000} s is used up. Retry after ${retryAfterSeconds} seconds. See https://aka.ms/resourcegraph-throttling for help.`,
        { ...quotaHeaders(0, resetsInMs), "retry-after": String(retryAfterSeconds) },
      );
    }
    window.used++;
    count.served++;
    return quotaHeaders(Math.max(0, this.quota.queriesPerWindow - window.used), resetsInMs);
  }
}

function quotaHeaders(remaining: number, resetsInMs: number): Record<string, string> {
  return {
    "x-ms-user-quota-remaining": String(remaining),
    "x-ms-user-quota-resets-after": hhmmss(Math.ceil(resetsInMs / 1000)),
  };
}

/** Seconds as `hh:mm:ss`, the format Resource Graph uses in x-ms-user-quota-resets-after. */
export function hhmmss(totalSeconds: number): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  return `${pad(hours)}:${pad(minutes)}:${pad(totalSeconds % 60)}`;
}

/** Validates a quota body from the control API; anything malformed is a 400 naming the field. */
export function parseQuota(body: unknown): ResourceGraphQuota {
  const source = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : undefined;
  const { queriesPerWindow, windowMs } = source ?? {};
  if (typeof queriesPerWindow !== "number" || !Number.isInteger(queriesPerWindow) || queriesPerWindow < 1)
    throw new ArmError(400, "InvalidRequestContent", "queriesPerWindow must be a positive integer.");
  if (typeof windowMs !== "number" || windowMs < 1 || windowMs > 3_600_000)
    throw new ArmError(400, "InvalidRequestContent", "windowMs must be 1..3600000.");
  return { queriesPerWindow, windowMs };
}
