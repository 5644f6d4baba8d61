// Key Vault's per-vault service limits as sliding windows over real time, answering 429 with Retry-After.
import { KeyVaultError } from "./errors";
import type { OperationKind } from "./keysApi";

export interface ThrottlingLimits {
  /** Window length; Key Vault's published limits are per 10 seconds. */
  windowMs: number;
  /** Creates (rotate counts as create) of software-protected keys per window. */
  createSoftware: number;
  createHsm: number;
  /** All other key operations per window (Key Vault: about 4,000 for RSA-2048). */
  other: number;
}

export const KEY_VAULT_LIMITS: ThrottlingLimits = {
  windowMs: 10_000,
  createSoftware: 20,
  createHsm: 10,
  other: 4000,
};

/**
 * Real (wall-clock) time, not the virtual clock: the SDK waits Retry-After in real time, and a jump
 * of the virtual clock must not empty or fill a window.
 */
export class Throttle {
  private readonly served = new Map<OperationKind, number[]>();
  /** Requests per kind since start (or the last reset), served and answered 429, counted with throttling off too. */
  private readonly counts = new Map<OperationKind, { served: number; throttled: number }>();
  isEnabled: boolean;

  constructor(
    readonly limits: ThrottlingLimits,
    isEnabled: boolean,
  ) {
    this.isEnabled = isEnabled;
  }

  /** Counts the request or throws 429 Throttled with Retry-After in whole seconds. */
  admit(kind: OperationKind, nowMs = Date.now()): void {
    const count = this.counts.get(kind) ?? { served: 0, throttled: 0 };
    this.counts.set(kind, count);
    if (!this.isEnabled) {
      count.served++;
      return;
    }
    const stamps = this.served.get(kind) ?? [];
    this.served.set(kind, stamps);
    const windowStart = nowMs - this.limits.windowMs;
    while (stamps.length > 0 && stamps[0] <= windowStart) stamps.shift();
    if (stamps.length < this.limits[kind]) {
      stamps.push(nowMs);
      count.served++;
      return;
    }
    count.throttled++;
    const retryAfterSeconds = Math.max(1, Math.ceil((stamps[0] + this.limits.windowMs - nowMs) / 1000));
    throw new KeyVaultError(
      429,
      "Throttled",
      `Request was not processed because too many requests were received. Reason: more than ${this.limits[kind]} ${kind} operations in ${this.limits.windowMs / 1000} seconds for this vault.`,
      undefined,
      { "Retry-After": String(retryAfterSeconds) },
    );
  }

  requestCounts(): OperationCount[] {
    return [...this.counts].map(([kind, count]) => ({ kind, ...count }));
  }

  resetRequestCounts(): void {
    this.counts.clear();
  }
}

/** Requests of one kind a vault served and answered 429. */
export interface OperationCount {
  kind: OperationKind;
  served: number;
  throttled: number;
}
