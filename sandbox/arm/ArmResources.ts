// Everything the ARM emulator holds (stores, key access, limits) and the programmatic controls over it.
import { randomUUID } from "node:crypto";
import type { VirtualClock } from "../clock";
import type { RoleAssignment } from "./authorization/RoleAssignments";
import { RoleAssignments } from "./authorization/RoleAssignments";
import { ArmError } from "./http/armHttp";
import { ENTERPRISE_POLICY_TYPE, STORAGE_ACCOUNT_TYPE, resourceId } from "./http/resourceIds";
import { UserAssignedIdentities } from "./identities/UserAssignedIdentities";
import { ConsumerKeyAccess } from "./keyAccess/ConsumerKeyAccess";
import { KeyVaultDataPlane } from "./keyAccess/KeyVaultDataPlane";
import { VaultDirectory } from "./keyAccess/VaultDirectory";
import { KEY_VAULT_TYPE, type VaultProperties, VaultResources } from "./keyVaults/VaultResources";
import { vaultToWire } from "./keyVaults/vaultWire";
import { FaultInjector } from "./limits/Faults";
import { type ArmThrottlingLimits, Throttling } from "./limits/Throttling";
import { AsyncOperations } from "./operations/AsyncOperations";
import { EnterprisePolicies } from "./powerPlatform/EnterprisePolicies";
import type { Environment } from "./powerPlatform/Environment";
import { Environments } from "./powerPlatform/Environments";
import { resourceGraphRows } from "./resourceGraph/resourceGraphRows";
import type { Row } from "./resourceGraph/kql/evaluateQuery";
import { UserQuota } from "./resourceGraph/UserQuota";
import type { GenericResource } from "./resources/genericResourceRoutes";
import {
  encryptionPolicyBody,
  seedEnterprisePoliciesInBulk,
  seedStorageAccountsInBulk,
} from "./seeding/bulkSeeding";
import { StorageAccounts } from "./storage/StorageAccounts";
import { Subscriptions } from "./subscriptions/Subscriptions";
import type {
  EnterprisePolicyBulkSeed,
  SeededInBulk,
  StorageAccountBulkSeed,
  EnterprisePolicySeed,
  EnterprisePolicySummary,
  EnvironmentSeed,
  EnvironmentSummary,
  RoleAssignmentSeed,
  SeededEnterprisePolicy,
  SeededStorageAccount,
  StorageAccountSeed,
  StorageAccountSummary,
} from "./types";

export interface ArmResourcesConfig {
  clock: VirtualClock;
  subscriptionId: string;
  additionalSubscriptionIds: string[];
  tenantId: string;
  resourceGroup: string;
  keyVaults: Record<string, string>;
  caPem: string;
  throttling: boolean | Partial<ArmThrottlingLimits>;
  /** Per vault name: properties other than the defaults (soft delete and purge protection on, RBAC off). */
  vaultProperties: Record<string, Partial<VaultProperties>>;
  /** The app's managed identity: listed in access policies like every other known principal. */
  appPrincipalId: string;
  /** How long each environment link/unlink runs (virtual ms). */
  linkDurationMs: number;
}

/** Checks one Key Vault data action by one principal on one key; the Key Vault emulator asks it on RBAC vaults. */
export type KeyVaultAuthorizer = (principalId: string, dataAction: string, keyName?: string) => boolean;

export class ArmResources {
  readonly identities = new UserAssignedIdentities();
  readonly vaults: VaultDirectory;
  readonly vaultDataPlane: KeyVaultDataPlane;
  readonly faults = new FaultInjector();
  /** Faults for Resource Graph alone. */
  readonly resourceGraphFaults = new FaultInjector();
  readonly throttling: Throttling;
  /** Resource Graph's per-user quota, enforced while throttling is on. */
  readonly resourceGraphQuota: UserQuota;
  readonly subscriptions: Subscriptions;
  readonly keyAccess: ConsumerKeyAccess;
  readonly operations: AsyncOperations;
  readonly storage: StorageAccounts;
  readonly policies: EnterprisePolicies;
  readonly environments: Environments;
  readonly vaultResources: VaultResources;
  readonly roleAssignments: RoleAssignments;

  constructor(readonly config: ArmResourcesConfig) {
    const { clock } = config;
    this.vaults = new VaultDirectory(config.keyVaults);
    this.vaultDataPlane = new KeyVaultDataPlane(config.caPem);
    this.vaultResources = new VaultResources({
      keyVaults: config.keyVaults,
      subscriptionId: config.subscriptionId,
      resourceGroup: config.resourceGroup,
      properties: config.vaultProperties,
    });
    this.roleAssignments = new RoleAssignments(() => clock.nowDate().toISOString());
    const keyAccess = new ConsumerKeyAccess(this.vaultDataPlane);
    this.keyAccess = keyAccess;
    this.subscriptions = new Subscriptions(
      config.subscriptionId,
      config.additionalSubscriptionIds,
      config.tenantId,
    );
    const { throttling } = config;
    this.throttling = new Throttling(throttling !== false, typeof throttling === "object" ? throttling : {});
    this.resourceGraphQuota = new UserQuota(() => this.throttling.enabled);
    this.operations = new AsyncOperations(() => clock.nowDate().toISOString());
    const common = { clock, keyAccess, vaults: this.vaults, faults: this.faults };
    this.storage = new StorageAccounts({ ...common, identities: this.identities });
    this.environments = new Environments({
      clock,
      faults: this.faults,
      operations: this.operations,
      policies: () => this.policies,
      keyAccess,
      operationDurationMs: config.linkDurationMs,
    });
    this.policies = new EnterprisePolicies({
      ...common,
      operations: this.operations,
      linkedEnvironmentIds: (policyArmId) => this.environments.linkedTo(policyArmId),
    });
  }

  async seedStorageAccount(seed: StorageAccountSeed): Promise<SeededStorageAccount> {
    const subscriptionId = this.subscriptions.require(seed.subscriptionId ?? this.config.subscriptionId);
    const resourceGroup = seed.resourceGroup ?? this.config.resourceGroup;
    const identityId =
      seed.userAssignedIdentity?.id ??
      resourceId(
        subscriptionId,
        resourceGroup,
        "Microsoft.ManagedIdentity/userAssignedIdentities",
        `${seed.name}-cmk-identity`,
      );
    const principal = seed.userAssignedIdentity?.principalId
      ? this.identities.define(identityId, seed.userAssignedIdentity.principalId)
      : this.identities.principalFor(identityId);
    const cmk = seed.customerManagedKey;
    let keyVaultUri: string | undefined;
    if (cmk) {
      keyVaultUri = cmk.vaultUri ?? (cmk.vaultName ? this.config.keyVaults[cmk.vaultName] : undefined);
      if (!keyVaultUri) {
        throw new ArmError(
          400,
          "KeyVaultNotFound",
          `Unknown vault: give customerManagedKey.vaultName of a known vault or vaultUri.`,
        );
      }
    }
    const { account } = await this.storage.createOrUpdate(subscriptionId, resourceGroup, seed.name, {
      location: seed.location ?? "westeurope",
      kind: "StorageV2",
      skuName: "Standard_LRS",
      isHnsEnabled: true,
      identity: { type: "UserAssigned", userAssignedIdentityIds: [identityId] },
      encryption: cmk
        ? {
            keySource: "Microsoft.Keyvault",
            keyVaultUri,
            keyName: cmk.keyName,
            keyVersion: cmk.keyVersion ?? "",
            userAssignedIdentity: identityId,
          }
        : undefined,
    });
    return {
      id: resourceId(subscriptionId, resourceGroup, STORAGE_ACCOUNT_TYPE, account.name),
      name: account.name,
      resourceGroup,
      userAssignedIdentityId: identityId,
      principalId: principal.principalId,
    };
  }

  async seedEnterprisePolicy(seed: EnterprisePolicySeed): Promise<SeededEnterprisePolicy> {
    const subscriptionId = this.subscriptions.require(seed.subscriptionId ?? this.config.subscriptionId);
    const resourceGroup = seed.resourceGroup ?? this.config.resourceGroup;
    // The vaults live in the primary subscription, whichever subscription the policy is in.
    const keyVaultId =
      seed.keyVaultId ??
      (seed.keyVaultName
        ? resourceId(
            this.config.subscriptionId,
            seed.subscriptionId ? this.config.resourceGroup : resourceGroup,
            "Microsoft.KeyVault/vaults",
            seed.keyVaultName,
          )
        : undefined);
    if (!keyVaultId) throw new ArmError(400, "InvalidRequestContent", "Give keyVaultName or keyVaultId.");
    const { policy } = this.policies.createOrUpdate(
      subscriptionId,
      resourceGroup,
      seed.name,
      encryptionPolicyBody(seed, keyVaultId, seed.principalId),
      true,
    );
    await this.policies.evaluateHealth(policy);
    return {
      id: EnterprisePolicies.armId(policy),
      name: policy.name,
      systemId: policy.systemId,
      principalId: policy.principalId,
    };
  }

  /**
   * What the Key Vault emulator asks before a data action on `vaultName`: on a vault with RBAC authorization, a
   * role assignment at the key, vault, resource group or subscription must grant it; otherwise every principal may.
   */
  keyVaultAuthorizer(vaultName: string): KeyVaultAuthorizer {
    return (principalId, dataAction, keyName) => {
      const vault = this.vaultResources.find(vaultName);
      if (!vault?.properties.enableRbacAuthorization) return true;
      const vaultScope = VaultResources.armId(vault);
      const scope = keyName ? `${vaultScope}/keys/${keyName}` : vaultScope;
      return this.roleAssignments.grants(principalId, scope, dataAction);
    };
  }

  assignRole(seed: RoleAssignmentSeed): RoleAssignment {
    const roleDefinitionId = seed.roleDefinitionId.includes("/")
      ? seed.roleDefinitionId
      : `/subscriptions/${this.config.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${seed.roleDefinitionId}`;
    const existing = this.roleAssignments
      .list(seed.scope, `principalId eq '${seed.principalId}'`)
      .find(
        (a) =>
          a.scope.toLowerCase() === seed.scope.toLowerCase() &&
          a.roleGuid === roleDefinitionId.split("/").pop()?.toLowerCase(),
      );
    if (existing) return existing;
    return this.roleAssignments.create({
      scope: seed.scope,
      name: randomUUID(),
      roleDefinitionId,
      principalId: seed.principalId,
      principalType: seed.principalType,
      createdBy: "sandbox-seed",
    }).assignment;
  }

  /** Every principal the estate knows: consumers' identities, policies' identities and the app. */
  knownPrincipalIds(): string[] {
    return [
      this.config.appPrincipalId,
      ...this.identities.principalIds(),
      ...this.policies.all().map((p) => p.principalId),
    ];
  }

  vaultWire(vaultName: string): Record<string, unknown> | undefined {
    const vault = this.vaultResources.find(vaultName);
    return vault ? vaultToWire(vault, this.config.tenantId, this.knownPrincipalIds()) : undefined;
  }

  seedStorageAccounts(seed: StorageAccountBulkSeed): Promise<SeededInBulk> {
    return seedStorageAccountsInBulk(this.bulkSeedingDeps(), seed);
  }

  seedEnterprisePolicies(seed: EnterprisePolicyBulkSeed): SeededInBulk {
    return seedEnterprisePoliciesInBulk(this.bulkSeedingDeps(), seed);
  }

  /** The `resources` table of Resource Graph over the given subscriptions, ordered by id. */
  resourceGraphRows(subscriptionIds: string[]): Row[] {
    return resourceGraphRows(
      {
        storage: this.storage,
        policies: this.policies,
        identities: this.identities,
        tenantId: this.config.tenantId,
        vaults: () =>
          this.vaultResources.all().map((vault) => ({ vault, wire: this.vaultWire(vault.name) ?? {} })),
      },
      subscriptionIds,
    );
  }

  seedEnvironment(seed: EnvironmentSeed = {}): EnvironmentSummary {
    const policy = seed.policyId ? this.policies.findByArmId(seed.policyId) : undefined;
    if (seed.policyId && !policy) {
      throw new ArmError(
        404,
        "EnterprisePolicyNotFound",
        `Enterprise policy '${seed.policyId}' was not found.`,
      );
    }
    const environment = this.environments.add(seed);
    if (policy) environment.linkedPolicyArmId = EnterprisePolicies.armId(policy);
    return this.environmentSummary(environment);
  }

  storageAccountSummaries(): StorageAccountSummary[] {
    return this.storage.all().map((account) => {
      const { encryption, keyInUse } = account;
      const principalId = encryption.userAssignedIdentity
        ? this.identities.principalFor(encryption.userAssignedIdentity).principalId
        : account.identity.principalId;
      return {
        id: resourceId(account.subscriptionId, account.resourceGroup, STORAGE_ACCOUNT_TYPE, account.name),
        subscriptionId: account.subscriptionId,
        name: account.name,
        resourceGroup: account.resourceGroup,
        provisioningState: account.provisioningState,
        keySource: encryption.keySource,
        keyVaultUri: encryption.keyVaultUri,
        keyName: encryption.keyName,
        keyVersion: encryption.keyVersion,
        currentVersionedKeyIdentifier: keyInUse
          ? `${encryption.keyVaultUri?.replace(/\/+$/, "")}/keys/${keyInUse.keyName}/${keyInUse.version}`
          : undefined,
        lastKeyRotationTimestamp: account.lastKeyRotationTimestamp,
        principalId,
      };
    });
  }

  async enterprisePolicySummaries(): Promise<EnterprisePolicySummary[]> {
    const policies = this.policies.all();
    await Promise.all(policies.map((p) => this.policies.evaluateHealth(p)));
    return policies.map((policy) => {
      const id = EnterprisePolicies.armId(policy);
      return {
        id,
        name: policy.name,
        systemId: policy.systemId,
        principalId: policy.principalId,
        healthStatus: policy.health,
        provisioningState: policy.provisioningState,
        keyVaultId: policy.encryption?.keyVaultId,
        keyName: policy.encryption?.keyName,
        keyVersion: policy.encryption?.keyVersion,
        keyVersionInUse: policy.keyInUse?.version,
        linkedEnvironmentIds: this.environments.linkedTo(id),
      };
    });
  }

  async environmentSummaries(): Promise<EnvironmentSummary[]> {
    await this.environments.refreshAll();
    return this.environments.all().map((e) => this.environmentSummary(e));
  }

  async enableEnvironment(id: string): Promise<EnvironmentSummary> {
    return this.environmentSummary(await this.environments.enable(id));
  }

  /** Everything listable through `…/resources`. */
  genericResources(subscriptionId: string): GenericResource[] {
    const storage = this.storage.list(subscriptionId).map((a) => ({
      id: resourceId(a.subscriptionId, a.resourceGroup, STORAGE_ACCOUNT_TYPE, a.name),
      name: a.name,
      type: STORAGE_ACCOUNT_TYPE,
      location: a.location,
      kind: a.kind,
      tags: a.tags,
      resourceGroup: a.resourceGroup,
    }));
    const policies = this.policies.list(subscriptionId).map((p) => ({
      id: resourceId(p.subscriptionId, p.resourceGroup, ENTERPRISE_POLICY_TYPE, p.name),
      name: p.name,
      type: ENTERPRISE_POLICY_TYPE,
      location: p.location,
      kind: p.kind,
      tags: p.tags,
      resourceGroup: p.resourceGroup,
    }));
    const vaults = this.vaultResources
      .all()
      .filter((v) => v.subscriptionId.toLowerCase() === subscriptionId.toLowerCase())
      .map((v) => ({
        id: VaultResources.armId(v),
        name: v.name,
        type: KEY_VAULT_TYPE,
        location: v.location,
        tags: {},
        resourceGroup: v.resourceGroup,
      }));
    return [...storage, ...policies, ...vaults];
  }

  stop(): void {
    this.storage.stop();
    this.policies.stop();
    this.vaultDataPlane.close();
  }

  private bulkSeedingDeps() {
    return {
      clock: this.config.clock,
      subscriptions: this.subscriptions,
      defaultResourceGroup: this.config.resourceGroup,
      keyVaults: this.config.keyVaults,
      vaults: this.vaults,
      keyAccess: this.keyAccess,
      identities: this.identities,
      storage: this.storage,
      policies: this.policies,
    };
  }

  private environmentSummary(environment: Environment): EnvironmentSummary {
    const policy = this.environments.linkedPolicy(environment);
    return {
      id: environment.id,
      displayName: environment.displayName,
      state: environment.runtimeState,
      ...(environment.protection ? { keyId: environment.protection.kid } : {}),
      ...(environment.lockedAt ? { lockedAt: environment.lockedAt } : {}),
      ...(policy
        ? {
            policy: {
              id: EnterprisePolicies.armId(policy),
              systemId: policy.systemId,
              healthStatus: policy.health,
              keyVaultId: policy.encryption?.keyVaultId,
              keyName: policy.encryption?.keyName,
              keyVersion: policy.encryption?.keyVersion,
            },
          }
        : {}),
    };
  }
}
