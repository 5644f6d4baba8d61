// Shapes that cross the rotateKey orchestration's boundary: its input, activity inputs/outputs, custom status, result.

import type { RotationStatus, RotationTrigger, TargetAttempt, TargetStatus } from "../../lib/audit/types";
import type { BindingMode } from "../../lib/bindings/types";
import type { ConsumerKind } from "../../lib/consumers/types";
import type { Refusal } from "../../lib/errors";
import type { KeyInfo } from "../../lib/keys/types";

export type { RotationStatus, RotationTrigger, TargetStatus };

/** `rotate` creates a new version; `propagate` rolls out a version someone else created. */
export type RotationMode = "rotate" | "propagate";

export type TargetKind = ConsumerKind;
export type TargetMode = BindingMode;

export interface TargetRef {
  kind: TargetKind;
  resourceId: string;
  mode: TargetMode;
}

export interface TargetState extends TargetRef {
  status: TargetStatus;
  detail: string;
  attempts: number;
}

export interface RotateKeyInput {
  /** Unique per rotation; also the tag on the version it creates, which makes creation exactly-once. */
  rotationId: string;
  vaultName: string;
  keyName: string;
  trigger: RotationTrigger;
  reason: string;
  mode: RotationMode;
  /** propagate mode: the version to roll out. */
  version?: string;
  /** The plan a door already made while deciding to start (skips the load step); absent = load it. */
  plan?: RotationPlan;
  /**
   * The rotation's turn (orchestration time, epoch ms), handed out by a sweep pacing a fleet against
   * Azure's limits: the rotation waits on a durable timer until then, before it reads anything.
   */
  notBeforeMs?: number;
  /** What a sweep's Resource Graph snapshot found using the key (the load step then asks Resource Graph nothing). */
  discovered?: TargetRef[];
}

/** Why a rotation must not go ahead (or a step refused): the lib's one refusal shape. */
export type { Refusal };

/** Output of the load step: everything later steps need, or why the rotation is refused. */
export interface RotationPlan {
  /** Versionless key id `<vaultUrl>/keys/<name>`. */
  keyId: string;
  /** Set when the rotation must not go ahead (unknown key, no bindings, incompatible key size, ...). */
  refusal?: Refusal;
  /** The key's newest version before this rotation. */
  previousVersion?: string;
  targets: TargetRef[];
  /** ISO-8601 lifetime of the new version (sets its `exp`), when the binding policy has one. */
  expiresAfter?: string;
  /** ISO-8601: how long older versions stay enabled after the new one (the binding policy enforces ≥ P28D with a Power Platform target); unset = never retire. */
  retireAfter?: string;
  /** propagate mode: when the version being rolled out was created (epoch ms). */
  versionCreatedOnMs?: number;
  /** Consumers discovery found that the binding does not list (in targets too when the policy adopts them). */
  unregistered?: TargetRef[];
  /** What the rotation goes ahead without, said to the operator (dry run, record): e.g. an unreadable rotation policy. */
  warnings?: string[];
  /** The current version as read (type, size, operations, tags): the template of the new version. */
  template?: KeyInfo;
}

export interface NewVersion {
  version: string;
  createdOnMs: number;
}

/** What the create step answers: the version, or a refusal retrying cannot fix (key revoked, access removed). */
export type CreatedOrRefused = NewVersion | { refusal: Refusal };

/** One attempt at one target: apply the version (when the mode needs a write) and read back the effect. */
export interface TargetAttemptInput {
  rotationId: string;
  vaultName: string;
  keyName: string;
  version: string;
  target: TargetRef;
  attempt: number;
  nowMs: number;
}

export type TargetAttemptResult = (
  | { outcome: "done"; status: "Verified" | "Verifying" | "ActionRequired" | "Failed"; detail: string }
  | { outcome: "retry"; detail: string; retryAfterMs?: number }
) & {
  /**
   * The attempt's audit rows (apply, verify), written by the orchestration after the round rather than by the
   * activity, so no Table write sits between the consumer's answer and the next step. Absent when the attempt
   * itself did not complete.
   */
  records?: TargetAttempt[];
};

/** Input of rotateKey_recordTargetAttempts: one round's audit rows. */
export interface TargetAttemptRecords {
  records: TargetAttempt[];
}

export interface RotationRecordInput {
  rotationId: string;
  vaultName: string;
  keyName: string;
  keyId: string;
  status: RotationStatus;
  trigger: RotationTrigger;
  reason: string;
  previousVersion?: string;
  newVersion?: string;
  targets: TargetState[];
  /** Why the rotation ended as it did (refusal reason, failure), shown to operators. */
  detail?: string;
  startedAtMs: number;
  finishedAtMs?: number;
}

export interface RetirementInput {
  rotationId: string;
  vaultName: string;
  keyName: string;
  /** The version this rotation rolled out: never disabled, nor anything newer. */
  keepVersion: string;
  targets: TargetRef[];
  nowMs: number;
}

export interface RetirementResult {
  disabledVersions: string[];
  retainedVersions: { version: string; reason: string }[];
}

/** The step names shown in custom status, in runbook order. */
export type RotationStep =
  | "WaitingForTurn"
  | "LoadingKey"
  | "CreatingVersion"
  | "UpdatingTargets"
  | "WatchingVersionlessTargets"
  | "RecordingOutcome"
  | "WaitingToRetire"
  | "Retiring"
  | "Done";

export interface RotationCustomStatus {
  rotationId: string;
  step: RotationStep;
  status: RotationStatus;
  newVersion?: string;
  retireNotBefore?: string;
  targets: { resourceId: string; kind: TargetKind; mode: TargetMode; status: TargetStatus; detail: string }[];
}

export interface RotationResult {
  rotationId: string;
  status: RotationStatus;
  newVersion?: string;
  targets: TargetState[];
  retirement?: RetirementResult;
}
