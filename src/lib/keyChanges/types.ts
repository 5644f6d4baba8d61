// Public types of key changes: the request, the plan with its preflight findings, the targets it moves.
import type { BindingMode } from "../bindings/types";
import type { KeyChangeStrategy } from "../audit/types";
import type { ConsumerKind } from "../consumers/types";
import type { KeyIdentity } from "../keys/types";

export interface KeyChangeRequest {
  from: KeyIdentity;
  to: KeyIdentity;
  reason: string;
  strategy: KeyChangeStrategy;
  /** Narrows the change to these resource ids (compared case-insensitively). */
  targets?: string[];
}

/** One problem preflight found; `message` says exactly what to do. */
export interface PreflightFinding {
  resourceId?: string;
  code:
    | "KeyNotFound"
    | "KeyNotUsable"
    | "KeyNotAccepted"
    | "SoftDeleteDisabled"
    | "PurgeProtectionDisabled"
    | "MissingKeyAccess"
    | "UnknownTarget"
    | "NoConsumers"
    | "ConsumerUnreadable";
  message: string;
}

export interface PlannedEnvironment {
  id: string;
  displayName?: string;
}

export interface PlannedStorageAccount {
  resourceId: string;
  mode: BindingMode;
  isRegistered: boolean;
}

export interface PlannedPolicy {
  resourceId: string;
  mode: BindingMode;
  isRegistered: boolean;
  systemId: string;
  environments: PlannedEnvironment[];
  /** A policy already on the new key in the same subscription and region, used instead of creating one. */
  existingTargetPolicyId?: string;
}

export interface KeyChangePlan {
  fromKeyId: string;
  toKeyId: string;
  strategy: KeyChangeStrategy;
  toVaultUrl: string;
  toVaultArmId: string;
  /** The new key's current version: what pinned consumers are set to. */
  toVersion: string;
  storageAccounts: PlannedStorageAccount[];
  policies: PlannedPolicy[];
  /** Consumers left out (narrowed away, or registered but no longer using the old key). */
  skipped: Array<{ resourceId: string; kind: ConsumerKind; detail: string }>;
  findings: PreflightFinding[];
  /** What goes ahead but deserves a look (e.g. access to the old key for database restore). */
  warnings: string[];
  /** What the change will do, in order, for the dry run. */
  steps: string[];
}
