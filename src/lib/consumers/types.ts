// Public types of consumers: the one narrow interface every consumer kind implements.
import type { BindingTarget } from "../bindings/types";
import type { KeyIdentity, KeyType } from "../keys/types";

/** Every consumer kind the service knows; adding one is one file plus one line here and in the registry. */
export type ConsumerKind = "storageAccount" | "powerPlatformPolicy";

/** What a consumer is configured with and, when it tells, what it really uses. */
export interface ConsumerReference {
  /** The vault the consumer points at (its URL for storage, its name for Power Platform). */
  vaultName?: string;
  vaultUrl?: string;
  keyName: string;
  /** The version written in its configuration; undefined when it follows the newest version. */
  configuredVersion?: string;
  /** The version it really uses now (storage: currentVersionedKeyIdentifier), when it says. */
  versionInUse?: string;
  /** Power Platform: true when the policy is linked to at least one environment. */
  isLinked?: boolean;
  /** Power Platform: healthStatus as reported (Undetermined, Healthy, Warning, Unhealthy). */
  healthStatus?: string;
}

/**
 * Applied: the consumer was written; AlreadyApplied: it was already on that version;
 * NoWriteNeeded: versionless, it follows by itself; ActionRequired: the service must not write,
 * a person must (the detail says exactly what).
 */
export type ApplyOutcome = "Applied" | "AlreadyApplied" | "NoWriteNeeded" | "ActionRequired";

export interface ApplyResult {
  outcome: ApplyOutcome;
  detail: string;
  /** The version the consumer reported in use in its write response, when it did (saves a verify read). */
  versionInUse?: string;
}

/** Verified: uses the version; Pending: not yet (versionless storage picks it up within a day); Failed: it cannot. */
export type VerifyState = "Verified" | "Pending" | "Failed";

export interface VerifyResult {
  state: VerifyState;
  versionInUse?: string;
  detail: string;
}

/** Whether the consumer can reach its key now (revocation and restore read this). */
export type AccessState = "Accessible" | "Denied" | "Unknown";

export interface AccessCheck {
  state: AccessState;
  detail: string;
}

/**
 * One consumer kind. Every method is idempotent and safe to run twice (durable activities may).
 * Failures are domain errors (ResourceNotFound, TargetMismatch, DependencyForbidden,
 * ThrottledError with the service's Retry-After once the SDK's own retries are spent).
 */
export interface Consumer {
  readonly kind: ConsumerKind;
  /** What the resource references now. */
  readCurrentReference(target: BindingTarget): Promise<ConsumerReference>;
  /** Makes a pinned target use `version` (versionless: no write); reads the resource right before writing it. */
  applyVersion(target: BindingTarget, key: KeyIdentity, version: string): Promise<ApplyResult>;
  /** Checks the resource really uses `expectedVersion` (or is healthy on it). */
  verify(target: BindingTarget, key: KeyIdentity, expectedVersion: string): Promise<VerifyResult>;
  /** Whether the resource can use its key right now. */
  checkAccess(target: BindingTarget): Promise<AccessCheck>;
}

/** A Power Platform environment that uses an enterprise policy. */
export interface LinkedEnvironment {
  id: string;
  displayName?: string;
  /** Enabled, or Locked/Disabled when it lost access to its key. */
  state: string;
  /** Production, Sandbox, Trial, Developer or Default, as the admin API says; decides how long a locked environment is kept. */
  environmentSku?: string;
  /** When the environment was locked (ISO), as the admin API reports it. */
  lockedAt?: string;
}

/** The Power Platform policy consumer also knows the environments behind a policy (restore re-enables them). */
export interface PowerPlatformPolicyConsumer extends Consumer {
  readonly kind: "powerPlatformPolicy";
  /** Environments linked to the policy. Needs Power Platform admin read. */
  listLinkedEnvironments(target: BindingTarget): Promise<LinkedEnvironment[]>;
  /** Re-enables a locked environment after its key is back. Needs Power Platform admin. */
  enableEnvironment(environmentId: string): Promise<void>;
}

/** Static facts of a kind used for validation, with no I/O. */
export interface ConsumerSpec {
  kind: ConsumerKind;
  /** One line for messages and docs. */
  description: string;
  /** Shape of an accepted resource id, for messages. */
  resourceIdExample: string;
  /** A problem with a resource id, or undefined when it has the right shape. */
  resourceIdProblem(resourceId: string): string | undefined;
  /** A problem with a key type/size for this consumer, or undefined when it accepts it. */
  keyProblem(keyType: KeyType, keySize: number | undefined): string | undefined;
  /** Shortest retireAfter allowed while this kind is bound (ISO-8601), if any. */
  minimumRetireAfter?: string;
}
