// Shapes crossing the sweepKeys orchestration's boundary.
import type { StartOutcome } from "../../starters/rotations/startRotation";
import type { RotationMode, RotationTrigger } from "../rotateKey/types";

export interface SweepInput {
  /** Why the sweep runs (schedule, manual); recorded in its output. */
  reason: string;
}

export interface SweepKey {
  vaultName: string;
  keyName: string;
}

/** Activity results are wrapped in objects: top-level arrays do not round-trip reliably. */
export interface BoundKeys {
  keys: SweepKey[];
}

export interface KeyAssessment {
  key: SweepKey;
  /** Rotate: due (rotateEvery, near expiry, expired); RepairDrift: a pinned target is not on the newest version. */
  action: "Rotate" | "RepairDrift" | "None";
  detail: string;
  /** The key's newest version when it was read. */
  currentVersion?: string;
  /** Older versions are still enabled and retireAfter has passed since the newest was created. */
  retirementDue?: boolean;
}

/** What the sweep saw of a key's consumers that are not as bound. */
export interface KeyDrift {
  key: SweepKey;
  /** Consumers not as bound now. */
  open: number;
  /** Newly recorded this sweep. */
  detected: number;
  resolved: number;
}

export interface SweepStartInput {
  key: SweepKey;
  action: "Rotate" | "RepairDrift";
  trigger: RotationTrigger;
  mode: RotationMode;
  reason: string;
  version?: string;
  rotationId: string;
}

export interface SweepResult {
  assessed: number;
  started: { key: string; action: string; rotationId: string }[];
  /** Keys that already had a rotation or revocation running. */
  busy: { key: string; runningId: string }[];
  /** Keys left alone, with why (not due, could not be read, ...). */
  unchanged: { key: string; detail: string }[];
  /** Keys whose rotation was due but could not be started, even after retries; the next sweep tries again. */
  failed: { key: string; detail: string }[];
  /** Keys with consumers not as bound (Unregistered, Missing, Mismatch). */
  drift: { key: string; open: number; detected: number; resolved: number }[];
  /** Old versions this sweep retired or kept (a version a consumer still uses is kept, and tried again next sweep). */
  retired: { key: string; disabled: string[]; kept: { version: string; reason: string }[] }[];
}

export type { StartOutcome };
