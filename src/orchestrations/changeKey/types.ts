// Wire types of the changeKey orchestration: its input, activity inputs and results (all JSON).
import type { BindingTarget } from "../../lib/bindings";
import type { KeyChangeRecord } from "../../lib/audit";
import type { Refusal } from "../../lib/errors";
import type { KeyIdentity } from "../../lib/keys";
import type { KeyChangePlan } from "../../lib/keyChanges/types";
import type { EnvironmentOperation, OperationState } from "../../lib/keyChanges/environmentMoves";

export interface ChangeKeyInput {
  changeId: string;
  from: KeyIdentity;
  to: KeyIdentity;
  reason: string;
  plan: KeyChangePlan;
  startedAt: string;
  /**
   * How many environments move at once (CMK_KEY_CHANGE_PARALLEL_ENVIRONMENTS, 1..5), decided by the
   * starter so a replay reads the same number; absent (an instance started before the setting) = 1.
   */
  parallelEnvironments?: number;
}

/**
 * What a guarded activity answers instead of its result when it must not go ahead: a refusal retrying
 * cannot fix, decided on by its code (`KeyRevoked`: a revocation of either key stops the change).
 */
export interface Refused {
  refusal: Refusal;
}

export interface RecordKeyChangeInput {
  from: KeyIdentity;
  to: KeyIdentity;
  record: KeyChangeRecord;
  instanceId: string;
  /** Set on the final record: the old key's versions are kept until then. */
  retirableAfterMs?: number;
}

export interface SwitchStorageInput {
  changeId: string;
  from: KeyIdentity;
  to: KeyIdentity;
  target: BindingTarget;
  toVaultUrl: string;
  toVersion: string;
  atMs: number;
}

export interface StepResult {
  isDone: boolean;
  detail: string;
}

export type SwitchStorageResult = StepResult | Refused;

export interface EnsurePolicyInput {
  changeId: string;
  from: KeyIdentity;
  to: KeyIdentity;
  oldPolicyId: string;
  existingTargetPolicyId?: string;
  toVaultArmId: string;
  /** Pinned old policy: the new one pins the new key's current version; versionless: none. */
  version?: string;
  atMs: number;
}

export interface TargetPolicy {
  resourceId: string;
  systemId: string;
}

export type EnsurePolicyResult =
  | { policy: TargetPolicy; canUse: true; detail: string }
  | { policy: TargetPolicy; canUse: false; detail: string }
  | Refused;

export interface EnvironmentOperationInput {
  /** The change's keys: a start is refused (KeyRevoked) while either is being revoked. */
  from: KeyIdentity;
  to: KeyIdentity;
  environmentId: string;
  operation: EnvironmentOperation;
  policy: TargetPolicy;
}

export type StartedOperation =
  | { operationUrl: string; retryAfterMs: number }
  | { busy: true; retryAfterMs: number }
  | { alreadyDone: true }
  | Refused;

export type PolledOperation = OperationState;

export interface VerifyEnvironmentInput {
  changeId: string;
  environmentId: string;
  policy: TargetPolicy;
  attempt: number;
  atMs: number;
}

export interface MoveBindingInput {
  from: KeyIdentity;
  to: KeyIdentity;
  /** Removed from the old key's binding (a consumer fully moved). */
  remove?: string;
  /** Added to the new key's binding. */
  add?: BindingTarget;
}

export type KeyChangeStep = "Recording" | "Storage" | "PowerPlatform" | "RecordingOutcome" | "Done";

export interface KeyChangeCustomStatus {
  changeId: string;
  step: KeyChangeStep;
  moved: number;
  total: number;
  current?: string;
}
