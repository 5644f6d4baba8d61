// Public types of GET /api/overview: what the status page is drawn from (ISO instants, null when not known).
import type { RevocationStatus, RotationStatus, RotationTrigger, TargetStatus } from "../audit/types";
import type { BindingMode, RotationPolicy } from "../bindings/types";
import type { DueReason } from "../bindings/dueDates";
import type { ConsumerKind } from "../consumers/types";
import type { Registration } from "../discovery/types";

/** A part of the overview that could not be read; the rest still answers. */
export interface OverviewProblem {
  /** What could not be read, e.g. "versions", "consumers", "vault kv1". */
  part: string;
  code: string;
  message: string;
}

export interface VersionView {
  version: string;
  enabled: boolean;
  createdAt: string;
  /** Last change of the version's attributes (for a disabled version: about when it was disabled). */
  updatedAt: string | null;
  expiresAt: string | null;
  /** The key's newest version. */
  isCurrent: boolean;
}

export interface ConsumerView {
  resourceId: string;
  kind: ConsumerKind;
  mode: BindingMode;
  versionInUse: string | null;
  registration: Registration;
  detail: string;
}

export interface TargetProgress {
  resourceId: string;
  kind: ConsumerKind;
  mode: BindingMode;
  status: TargetStatus;
  detail: string;
}

/** A rotation, revocation or restore, or a key change, whose durable instance is pending, running or suspended. */
export interface RunningOperation {
  kind: "rotation" | "revocation" | "keyChange";
  /** Rotation, revocation or key change id. */
  id: string;
  /** The step the orchestration shows in its custom status (LoadingKey, UpdatingTargets, …). */
  step: string | null;
  status: string;
  targets: TargetProgress[];
  /** Targets in a final state (Verified, NoWriteNeeded, ActionRequired, Failed, Skipped) of all targets. */
  progress: { finished: number; total: number };
  startedAt: string | null;
}

/** A locked Power Platform environment and the date Power Platform deletes it unless access comes back. */
export interface LockedEnvironment {
  id: string;
  displayName: string | null;
  state: string;
  environmentSku: string | null;
  lockedAt: string;
  /** 7 days after the lock for non-production environments, 30 for production. */
  retentionDays: number;
  deletionAt: string;
}

export interface RevocationInEffect {
  id: string;
  keyId: string;
  status: RevocationStatus | "Unknown";
  reason: string;
  raisedAt: string;
  lockedEnvironments: LockedEnvironment[];
}

/** One finished or running operation from the audit history, newest first. */
export interface OutcomeView {
  kind: "rotation" | "revocation" | "keyChange";
  id: string;
  status: RotationStatus | RevocationStatus;
  reason: string;
  trigger: RotationTrigger | null;
  previousVersion: string | null;
  newVersion: string | null;
  startedAt: string;
  finishedAt: string | null;
  detail: string | null;
}

export interface NextRotation {
  /** When the current version becomes due; null when no policy or expiry makes it due. */
  dueAt: string | null;
  isDue: boolean;
  reason: DueReason | null;
}

export interface KeyOverview {
  vaultName: string;
  keyName: string;
  /** Versionless key id. */
  keyId: string;
  /** Whether a binding registers the key's consumers (an unbound key is only discovered). */
  isBound: boolean;
  policy: RotationPolicy | null;
  currentVersion: string | null;
  /** Age of the current version in ms at generatedAt. */
  currentAgeMs: number | null;
  currentExpiresAt: string | null;
  nextRotation: NextRotation | null;
  /** Newest first. */
  versions: VersionView[];
  consumers: ConsumerView[];
  /** Consumers that are not as bound, now (Unregistered, Missing, Mismatch). */
  drift: ConsumerView[];
  /** What the last sweep recorded as drift. */
  driftAtLastSweep: Array<{ resourceId: string; registration: Registration; detail: string }>;
  running: RunningOperation[];
  revocation: RevocationInEffect | null;
  recentOutcomes: OutcomeView[];
  problems: OverviewProblem[];
}

export interface Overview {
  generatedAt: string;
  keys: KeyOverview[];
  /** Revocations in effect across every key, for the banner at the top. */
  revocationsInEffect: RevocationInEffect[];
  problems: OverviewProblem[];
}
