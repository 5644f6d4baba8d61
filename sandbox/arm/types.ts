// Public types of the ARM emulator: start options, seeds, summaries and the running emulator's controls.
import type { VirtualClock } from "../clock";
import type { ArmFaults } from "./limits/Faults";
import type { ArmThrottlingLimits, BucketLimits, LimitRequestCount } from "./limits/Throttling";
import type { ResourceGraphQuota } from "./resourceGraph/UserQuota";
import type { KeyVaultAuthorizer } from "./ArmResources";
import type { RoleAssignment } from "./authorization/RoleAssignments";
import type { VaultProperties, VaultResource } from "./keyVaults/VaultResources";
import type { DataAccessResult } from "./storage/StorageAccounts";

export type {
  ArmFaults,
  ArmThrottlingLimits,
  BucketLimits,
  DataAccessResult,
  LimitRequestCount,
  KeyVaultAuthorizer,
  ResourceGraphQuota,
  RoleAssignment,
  VaultProperties,
};

export interface ArmEmulatorOptions {
  /** Virtual clock for timestamps and the daily key-version pick-up (default: sharedClock). */
  clock?: VirtualClock;
  subscriptionId?: string;
  /** More subscriptions in the estate (default: one, SECOND_SUBSCRIPTION_ID). */
  additionalSubscriptionIds?: string[];
  tenantId?: string;
  /** Resource group used by seeds that name none (default "rg-cmk"). */
  resourceGroup?: string;
  /** Key Vault emulator vaults by name: the URLs consumers call as their own identities. */
  keyVaults: Record<string, string>;
  /** 0 or absent = a free port. */
  port?: number;
  /** ARM and Storage throttling (default on with Azure's limits); an object changes limits (tests use small buckets). */
  throttling?: boolean | Partial<ArmThrottlingLimits>;
  /** Principal id (oid) of the app's managed identity, served on /msi/token (default: a new GUID). */
  appPrincipalId?: string;
  /** Vaults (by name) whose ARM properties say `enableRbacAuthorization: true`: keys need a role assignment. */
  rbacVaults?: string[];
  /** Per vault name: properties other than the defaults (soft delete and purge protection on, RBAC off). */
  vaultProperties?: Record<string, Partial<VaultProperties>>;
  /** How long each environment link/unlink runs, in virtual ms (default 0: it finishes at once). */
  linkDurationMs?: number;
}

/** A role assignment to seed, as an admin running `az role assignment create` would. */
export interface RoleAssignmentSeed {
  /** ARM scope: a vault id, a key below it, a resource group or a subscription. */
  scope: string;
  /** Built-in role GUID or roleDefinitions id. */
  roleDefinitionId: string;
  principalId: string;
  principalType?: string;
}

/** Can a consumer read its data right now (control probe). */
export interface EnvironmentDataAccess {
  status: 200 | 403 | 503;
  environmentId: string;
  state: string;
  /** The key version its data key is wrapped with, when customer-managed. */
  keyId?: string;
  reason?: string;
}

export interface StorageAccountSeed {
  name: string;
  /** Default: the primary subscription. */
  subscriptionId?: string;
  resourceGroup?: string;
  location?: string;
  /** The user-assigned identity the account uses for its key (default `{name}-cmk-identity`, new principal). */
  userAssignedIdentity?: { id?: string; principalId?: string };
  /** Omit for a Microsoft-managed key. `keyVersion` "" or absent = automatic mode. */
  customerManagedKey?: { vaultName?: string; vaultUri?: string; keyName: string; keyVersion?: string };
}

export interface SeededStorageAccount {
  id: string;
  name: string;
  resourceGroup: string;
  userAssignedIdentityId: string;
  /** The principal the account calls Key Vault as (deny it in Key Vault to cut the account off). */
  principalId: string;
}

export interface EnterprisePolicySeed {
  name: string;
  /** Default: the primary subscription (a keyVaultName always names a vault in the primary subscription). */
  subscriptionId?: string;
  resourceGroup?: string;
  location?: string;
  /** Vault by Key Vault emulator name, or a vault ARM id whose last segment is one. */
  keyVaultName?: string;
  keyVaultId?: string;
  keyName: string;
  /** Absent = versionless. */
  keyVersion?: string;
  principalId?: string;
}

export interface SeededEnterprisePolicy {
  id: string;
  name: string;
  systemId: string;
  /** The policy's system-assigned identity (the principal it calls Key Vault as). */
  principalId: string;
}

export interface EnvironmentSeed {
  id?: string;
  displayName?: string;
  location?: string;
  /** Production (default), Sandbox, Trial, Developer: how long Power Platform keeps it while locked. */
  environmentSku?: string;
  /** ARM id of an Encryption policy to link at once (no operation, no key check). */
  policyId?: string;
}

export interface EnvironmentSummary {
  id: string;
  displayName: string;
  /** Disabled while a link or unlink runs. */
  state: "Enabled" | "Locked" | "Disabled";
  /** The key version wrapping its data key (absent: Microsoft-managed). */
  keyId?: string;
  lockedAt?: string;
  policy?: {
    id: string;
    systemId: string;
    healthStatus: string;
    keyVaultId?: string;
    keyName?: string;
    keyVersion?: string;
  };
}

export interface StorageAccountSummary {
  id: string;
  subscriptionId: string;
  name: string;
  resourceGroup: string;
  provisioningState: string;
  keySource: string;
  keyVaultUri?: string;
  keyName?: string;
  /** "" = automatic mode. */
  keyVersion?: string;
  /** The version really in use. */
  currentVersionedKeyIdentifier?: string;
  lastKeyRotationTimestamp?: string;
  principalId?: string;
}

export interface EnterprisePolicySummary {
  id: string;
  name: string;
  systemId: string;
  principalId: string;
  healthStatus: string;
  provisioningState: string;
  keyVaultId?: string;
  keyName?: string;
  keyVersion?: string;
  /** Key version the policy really uses (the newest one it picked up, when versionless). */
  keyVersionInUse?: string;
  linkedEnvironmentIds: string[];
}

/** Many storage accounts at once (scale tests): `{namePrefix}{00000…}`, round-robin over `subscriptionIds`. */
export interface StorageAccountBulkSeed {
  count: number;
  /** Default "stbulk"; the names must stay valid storage account names (3-24 lower-case letters and digits). */
  namePrefix?: string;
  /** Default: every subscription of the emulator. */
  subscriptionIds?: string[];
  resourceGroup?: string;
  location?: string;
  customerManagedKey?: { vaultName?: string; vaultUri?: string; keyName: string; keyVersion?: string };
}

/** Many Encryption policies at once: `{namePrefix}-{00000…}`, round-robin over `subscriptionIds`. */
export interface EnterprisePolicyBulkSeed {
  count: number;
  namePrefix?: string;
  subscriptionIds?: string[];
  resourceGroup?: string;
  location?: string;
  keyVaultName?: string;
  keyVaultId?: string;
  keyName: string;
  keyVersion?: string;
}

export interface SeededInBulk {
  count: number;
  /** ARM ids in seeding order. */
  ids: string[];
}

export interface ArmEmulator {
  /** `https://127.0.0.1:{port}`: ARM, the Power Platform admin API and /msi/token. */
  url: string;
  /** The primary subscription (seeds that name none go here). */
  subscriptionId: string;
  /** Every subscription, the primary one first. */
  subscriptionIds: string[];
  tenantId: string;
  resourceGroup: string;
  /** The app's managed identity endpoint: set IDENTITY_ENDPOINT/IDENTITY_HEADER from `env`. */
  managedIdentity: {
    endpoint: string;
    identityHeader: string;
    principalId: string;
    env: { IDENTITY_ENDPOINT: string; IDENTITY_HEADER: string };
  };
  seedStorageAccount(seed: StorageAccountSeed): Promise<SeededStorageAccount>;
  seedEnterprisePolicy(seed: EnterprisePolicySeed): Promise<SeededEnterprisePolicy>;
  seedEnvironment(seed?: EnvironmentSeed): Promise<EnvironmentSummary>;
  /** Bulk seed without one request per account: a customer-managed key costs one wrap per subscription. */
  seedStorageAccounts(seed: StorageAccountBulkSeed): Promise<SeededInBulk>;
  seedEnterprisePolicies(seed: EnterprisePolicyBulkSeed): Promise<SeededInBulk>;
  /** Makes a subscription unreadable (ARM 403 AuthorizationFailed, left out of Resource Graph) for one principal or all. */
  denySubscriptionRead(subscriptionId: string, principalId?: string): void;
  /** Undoes denySubscriptionRead for one principal, or every denial on the subscription. */
  allowSubscriptionRead(subscriptionId: string, principalId?: string): void;
  resourceGraphQuota(): ResourceGraphQuota;
  /** Changes Resource Graph's per-user quota (default 15 per 5 s); every caller starts a fresh window. */
  setResourceGraphQuota(quota: ResourceGraphQuota): void;
  /** Faults for Resource Graph only (errorRate, statuses, latencyMs); ARM-wide faults apply to it too. */
  setResourceGraphFaults(faults: ArmFaults): void;
  clearResourceGraphFaults(): void;
  /** Environment probe: 200 when Enabled and its data key unwraps now, 503 during link/unlink, 403 when locked out. */
  environmentDataAccess(environmentId: string): Promise<EnvironmentDataAccess>;
  /** Every vault resource with its ARM id and properties. */
  vaults(): Array<VaultResource & { id: string }>;
  /** E.g. `{enablePurgeProtection: false}` for a preflight test, `{enableRbacAuthorization: true}`. */
  setVaultProperties(vaultName: string, properties: Partial<VaultProperties>): void;
  /** Wire into the Key Vault emulator: decides data actions on RBAC vaults from role assignments. */
  keyVaultAuthorizer(vaultName: string): KeyVaultAuthorizer;
  /** Seeds a role assignment (no GUID check on the principal, so test principals can hold roles). */
  assignRole(assignment: RoleAssignmentSeed): RoleAssignment;
  roleAssignments(): RoleAssignment[];
  /**
   * How long each link/unlink runs from now on (virtual ms), and the Retry-After (whole seconds) its 202 and its
   * running polls send; without one, Retry-After is the seconds the operation has left.
   */
  setLinkDuration(ms: number, retryAfterSeconds?: number): void;
  /** The consumer probe: 200 when the account can unwrap its key now, 403 when it cannot. */
  dataAccess(accountName: string): Promise<DataAccessResult>;
  storageAccounts(): StorageAccountSummary[];
  enterprisePolicies(): Promise<EnterprisePolicySummary[]>;
  /** Every environment with its policy and state, evaluated now. */
  environments(): Promise<EnvironmentSummary[]>;
  /** Admin re-enable of a Locked environment (fails with 409 while the key is still out of reach). */
  enableEnvironment(id: string): Promise<EnvironmentSummary>;
  faults(): ArmFaults;
  setFaults(faults: ArmFaults): void;
  clearFaults(): void;
  setThrottling(enabled: boolean): void;
  /**
   * Requests since start (or the last reset) per limit and scope, served and answered 429, counted
   * whether throttling is on or off: ARM reads and writes per `<subscription>|<principal>`, Storage
   * provider writes per subscription, admin API requests and Resource Graph queries per principal.
   */
  requestCounts(): ArmRequestCounts;
  resetRequestCounts(): void;
  stop(): Promise<void>;
}

/** What `requestCounts()` answers. */
export interface ArmRequestCounts {
  limits: LimitRequestCount[];
  resourceGraphQueries: { principalId: string; served: number; throttled: number }[];
}
