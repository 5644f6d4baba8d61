// Shapes crossing the sweepKeys orchestration's boundary.
import type { StartOutcome } from "../../starters/rotations/startRotation";
import type { RotationMode, RotationTrigger } from "../rotateKey/types";

/** What started a sweep. */
export type SweepTrigger = "Schedule" | "Http";

export interface SweepInput {
  /** Why the sweep runs (schedule, manual); recorded in its output. */
  reason: string;
  /** The sweep's own id (its instance id is `sweep:<id>`); absent in inputs of the older fixed-id sweep. */
  sweepId?: string;
  trigger?: SweepTrigger;
  /** Only the keys of this vault (allow-listed spelling); default every vault. */
  vaultName?: string;
  /** Rotate every bound key whose current version is enabled, due or not (e.g. a suspected leak). */
  force?: boolean;
}

/**
 * Where a key is in a sweep: Pending (not assessed yet), Waiting (due, its start window not reached),
 * Started (its rotation or drift repair was started), Busy (another operation of the key is running),
 * Unchanged (nothing to do, or could not be read: see the detail), Failed (could not be started).
 */
export type SweepKeyState = "Pending" | "Waiting" | "Started" | "Busy" | "Unchanged" | "Failed";

/** What a sweep shows while it runs (custom status) and keeps when it ends (the summary record). */
export interface SweepProgress {
  sweepId: string;
  step: string;
  counts: Partial<Record<SweepKeyState, number>>;
  /** Keys (`vault/key`) not settled yet: Pending or Waiting. */
  waiting: string[];
  failed: { key: string; detail: string }[];
}

/**
 * What the limits of Azure one start consumes in its window: the new version (Key Vault creates
 * per vault), and for each target the ARM reads and writes per subscription, and the Storage
 * resource provider's writes.
 */
export interface StartCost {
  keyVaultCreates: number;
  armReadsBySubscription: Record<string, number>;
  armWritesBySubscription: Record<string, number>;
  storageWrites: number;
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
  /** For Rotate and RepairDrift: what the start will consume of Azure's limits. */
  cost?: StartCost;
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
  /** What the start consumes of Azure's limits; absent = one create in its vault (rotate) or nothing. */
  cost?: StartCost;
}

export interface SweepResult {
  /** Absent in outputs of the older fixed-id sweep. */
  sweepId?: string;
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

/** The summary the sweep writes when it ends, keys as `vault/key` (the activity turns them into key ids). */
export interface SweepRecordInput {
  id: string;
  status: "Completed" | "PartiallyApplied";
  reason: string;
  trigger: SweepTrigger;
  vaultName: string | null;
  force: boolean;
  counts: Partial<Record<SweepKeyState, number>>;
  waiting: string[];
  failed: { key: string; detail: string }[];
  startedAt: string;
  finishedAt: string;
}
