// When a key is due for rotation and when an old version may be retired: shared by orchestrations and the sweep.
import { addIsoDuration, subtractIsoDuration } from "../durations";
import type { RotationPolicy } from "./types";

/** Key Vault's default near-expiry notice: 30 days before `exp`. */
export const NEAR_EXPIRY_WINDOW = "P30D";

export type DueReason = "RotateEvery" | "NearExpiry" | "Expired";

export interface RotationDue {
  isDue: boolean;
  /** Why it is due (or will be at dueAtMs). */
  reason?: DueReason;
  /** When it becomes due (epoch ms); undefined when nothing makes it due. */
  dueAtMs?: number;
}

/**
 * Due when the current version is older than `rotateEvery`, or inside the near-expiry window
 * before its `exp` (but not before half its lifetime), or expired. All instants in epoch ms (orchestration time, never Date.now()).
 */
export function rotationDue(
  policy: Pick<RotationPolicy, "rotateEvery">,
  current: { createdOnMs: number; expiresOnMs?: number },
  nowMs: number,
  nearExpiryWindow: string = NEAR_EXPIRY_WINDOW,
): RotationDue {
  if (current.expiresOnMs !== undefined && current.expiresOnMs <= nowMs) {
    return { isDue: true, reason: "Expired", dueAtMs: current.expiresOnMs };
  }
  const candidates: Array<{ reason: DueReason; atMs: number }> = [];
  if (policy.rotateEvery)
    candidates.push({ reason: "RotateEvery", atMs: addIsoDuration(current.createdOnMs, policy.rotateEvery) });
  if (current.expiresOnMs !== undefined) {
    // A version whose whole life is shorter than the window would be "near expiry" from birth and be
    // rotated on every sweep; such a version is due halfway through its life instead.
    const halfLifeMs = current.createdOnMs + (current.expiresOnMs - current.createdOnMs) / 2;
    candidates.push({
      reason: "NearExpiry",
      atMs: Math.max(subtractIsoDuration(current.expiresOnMs, nearExpiryWindow), halfLifeMs),
    });
  }
  if (candidates.length === 0) return { isDue: false };
  const earliest = candidates.reduce((a, b) => (b.atMs < a.atMs ? b : a));
  return { isDue: earliest.atMs <= nowMs, reason: earliest.reason, dueAtMs: earliest.atMs };
}

/** Expiry of a version created at `createdAtMs` under the policy, or undefined for no expiry. */
export function newVersionExpiryMs(
  policy: Pick<RotationPolicy, "expiresAfter">,
  createdAtMs: number,
): number | undefined {
  return policy.expiresAfter ? addIsoDuration(createdAtMs, policy.expiresAfter) : undefined;
}

/** Earliest time the previous version may be disabled after a rotation at `rotatedAtMs`; undefined = never retire. */
export function retireNotBeforeMs(
  policy: Pick<RotationPolicy, "retireAfter">,
  rotatedAtMs: number,
): number | undefined {
  return policy.retireAfter ? addIsoDuration(rotatedAtMs, policy.retireAfter) : undefined;
}
