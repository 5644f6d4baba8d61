// Shapes crossing the sweepKeys orchestration's boundary.
import type { HeadroomObservation } from "../../lib/azure/armHeadroom";
import type { FoundConsumer, FoundVaultConsumer } from "../../lib/discovery";
import type { StartOutcome } from "../../starters/rotations/startRotation";
import type { RotationMode, RotationTrigger, TargetRef } from "../rotateKey/types";
import type { WorkCost } from "./workCost";

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

export interface SweepKey {
  vaultName: string;
  keyName: string;
}

/** A bound key and what reading it costs ARM: an unforced assessment, and the drift check. */
export interface BoundKey extends SweepKey {
  assessmentCost?: WorkCost;
  driftCheckCost?: WorkCost;
}

/** Activity results are wrapped in objects: top-level arrays do not round-trip reliably. */
export interface BoundKeys {
  keys: BoundKey[];
}

/** What one Resource Graph snapshot found using any key of the sweep's vaults, or why it could not. */
export type ConsumerSnapshot = { consumers: FoundVaultConsumer[] } | { failure: string };

export interface FindConsumersInput {
  vaultNames: string[];
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
  /** For Rotate and RepairDrift: what the rotation will spend of Azure's limits on its bound targets. */
  cost?: WorkCost;
  /** The binding adopts discovered consumers: the rotation also updates what discovery finds (and spends on them). */
  adoptsDiscovered?: boolean;
}

/** A batch's assessments, in the order of its keys. */
export interface KeyAssessments {
  assessments: KeyAssessment[];
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
  /** What the rotation spends of Azure's limits; absent = one create in its vault (rotate) or nothing. */
  cost?: WorkCost;
  /** The rotation's turn (orchestration time): it waits until then. */
  notBeforeMs?: number;
  /** What the sweep's Resource Graph snapshot found using the key; absent = the rotation asks itself. */
  discovered?: TargetRef[];
}

/** A start's outcome and the ARM headroom this worker last saw, for the sweep's model of ARM's buckets. */
export type SweepStartOutcome = StartOutcome & { observedHeadroom?: HeadroomObservation[] };

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

export type { FoundConsumer, StartOutcome };

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
