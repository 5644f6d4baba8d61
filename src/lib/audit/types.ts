// Public types of the audit log: rotation and revocation records (docs/http-api.md shapes), per-target attempts, decisions.
import type { BindingMode } from "../bindings/types";
import type { ConsumerKind } from "../consumers/types";
import type { KeyIdentity } from "../keys/types";

export type RotationStatus = "Running" | "Completed" | "PartiallyApplied" | "Failed" | "Skipped";

/** What started a rotation. */
export type RotationTrigger =
  "KeyNearExpiry" | "KeyExpired" | "KeyNewVersionCreated" | "Http" | "ScheduledSweep";

/** A target's state inside a rotation or revocation. */
export type TargetStatus =
  | "Pending"
  | "Applied"
  | "NoWriteNeeded"
  | "Verifying"
  | "Verified"
  | "ActionRequired"
  | "Failed"
  | "Skipped";

export interface TargetRecord {
  resourceId: string;
  kind: ConsumerKind;
  mode: BindingMode;
  status: TargetStatus;
  detail: string;
}

/** Exactly what `GET /api/rotations/{id}` returns (ISO instants, null when not known yet). */
export interface RotationRecord {
  id: string;
  /** Versionless key id `<vaultUrl>/keys/<name>`. */
  keyId: string;
  status: RotationStatus;
  reason: string;
  trigger: RotationTrigger;
  previousVersion: string | null;
  newVersion: string | null;
  targets: TargetRecord[];
  startedAt: string;
  finishedAt: string | null;
  /** Why it ended as it did (refusal reason, failure message); for operators, beside the documented fields. */
  detail?: string | null;
}

export type RevocationStatus =
  "Running" | "Revoked" | "PartiallyRevoked" | "Failed" | "Restoring" | "Restored" | "PartiallyRestored";

/** One key version a revocation touched: restore re-enables exactly those it disabled. */
export interface RevokedVersion {
  version: string;
  /** Enabled before the revocation: only these are disabled, and only these are re-enabled on restore. */
  wasEnabled: boolean;
  disabledAt: string | null;
  restoredAt: string | null;
}

/** What `GET /api/revocations/{id}` returns (unknown fields are kept). */
export interface RevocationRecord {
  id: string;
  keyId: string;
  status: RevocationStatus;
  reason: string;
  requestId: string;
  versions: RevokedVersion[];
  targets: TargetRecord[];
  /** Power Platform environments an admin must re-enable (or that were re-enabled) on restore. */
  environments?: Array<{
    id: string;
    displayName?: string;
    state: string;
    /** Production, Sandbox, …: how long Power Platform keeps it while locked. */
    environmentSku?: string;
    /** When it was locked (ISO), as the admin API reports it. */
    lockedAt?: string;
  }>;
  /** The id of a rotation this revocation interrupted, if any. */
  interruptedRotationId?: string | null;
  restore?: {
    requestId: string;
    reason: string;
    startedAt: string;
    finishedAt: string | null;
    status: RevocationStatus;
  } | null;
  startedAt: string;
  finishedAt: string | null;
  /** Why it ended as it did when no step says so (e.g. it could not be started). */
  detail?: string | null;
}

/** documented: unlink, then link (Microsoft's procedure); direct: link to the new policy without unlinking first. */
export type KeyChangeStrategy = "documented" | "direct";

/** A consumer kind, or a Power Platform environment moved from one policy to another. */
export type KeyChangeTargetKind = ConsumerKind | "powerPlatformEnvironment";

/** One consumer in a key change, and where it is now. */
export interface KeyChangeTargetRecord {
  resourceId: string;
  kind: KeyChangeTargetKind;
  /** Verified: moved to the new key and checked; Pending: still on the old key; Failed/ActionRequired: stopped there. */
  status: TargetStatus;
  detail: string;
}

/** Exactly what `GET /api/keyChanges/{id}` returns. */
export interface KeyChangeRecord {
  id: string;
  /** Versionless key ids. */
  fromKeyId: string;
  toKeyId: string;
  strategy: KeyChangeStrategy;
  status: RotationStatus;
  reason: string;
  targets: KeyChangeTargetRecord[];
  startedAt: string;
  finishedAt: string | null;
  /** The old key's versions may not be retired before this instant (30 days after the change), and only when nothing uses them. */
  oldKeyRetirableAfter: string | null;
  /** What to do next when the change stopped short (e.g. the role line to run, then post the same change again). */
  detail?: string | null;
}

/** An item of `GET /api/keys/{vault}/{key}/history`: a record plus its kind. */
export type HistoryEntry =
  | ({ kind: "rotation" } & RotationRecord)
  | ({ kind: "revocation" } & RevocationRecord)
  | ({ kind: "keyChange" } & KeyChangeRecord);

/** One attempt at one target step (apply or verify; revocation: disable/enable/verify). */
export interface TargetAttempt {
  /** Rotation or revocation id. */
  operationId: string;
  resourceId: string;
  kind: KeyChangeTargetKind;
  mode: BindingMode;
  step:
    | "apply"
    | "verify"
    | "checkAccess"
    | "enableEnvironment"
    | "switchKey"
    | "ensurePolicy"
    | "unlink"
    | "link"
    | "verifyLink";
  /** 1-based attempt number (the orchestration's retry count). */
  attempt: number;
  status: TargetStatus;
  detail: string;
  atMs: number;
}

/** Why something was not done or was noted: rejections, duplicates, decisions, incidents, retirements. */
export type DecisionKind =
  "rejection" | "duplicate" | "decision" | "incident" | "retirement" | "interruption" | "drift";

export interface DecisionRecord {
  kind: DecisionKind;
  /** The key it is about, when known (unknown vaults have none). */
  key?: KeyIdentity;
  /** Stable code, e.g. UnknownVault, StaleVersion, DuplicateEvent, RotationInProgress, VersionRetired. */
  reason: string;
  detail: string;
  /** Where it came from: an event id and type, a route, a rotation id. */
  source?: string;
  /** Related rotation/revocation id. */
  operationId?: string;
  atMs: number;
  /** Give one to make a re-run write the same row instead of a second one. */
  id?: string;
}

/** The audit log in Table Storage. Needs Storage Table Data Contributor on AzureWebJobsStorage. */
export interface AuditLog {
  /** Creates or replaces a rotation record: one history row per id, whatever startedAt each write carries. */
  putRotation(key: KeyIdentity, record: RotationRecord): Promise<void>;
  getRotation(id: string): Promise<RotationRecord | undefined>;
  /** Creates or replaces a revocation record: one history row per id. */
  putRevocation(key: KeyIdentity, record: RevocationRecord): Promise<void>;
  getRevocation(id: string): Promise<RevocationRecord | undefined>;
  /** Creates or replaces a key change record: one history row per id in each of the two keys' histories. */
  putKeyChange(from: KeyIdentity, to: KeyIdentity, record: KeyChangeRecord): Promise<void>;
  getKeyChange(id: string): Promise<KeyChangeRecord | undefined>;
  /** Rotations, revocations and key changes of a key, newest first (one partition read, no scan). */
  listHistory(key: KeyIdentity, options?: { top?: number }): Promise<HistoryEntry[]>;
  /** Idempotent per (operationId, resourceId, step, attempt). */
  recordTargetAttempt(attempt: TargetAttempt): Promise<void>;
  /** Every attempt of an operation, by target then step then attempt. */
  listTargetAttempts(operationId: string): Promise<TargetAttempt[]>;
  recordDecision(decision: DecisionRecord): Promise<void>;
  /** Decisions about a key (or, with undefined, about no known key), newest first. */
  listDecisions(key: KeyIdentity | undefined, options?: { top?: number }): Promise<DecisionRecord[]>;
}
