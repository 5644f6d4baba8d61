// Enterprise policies: CRUD (PUT asynchronous), health computed from the policy identity's real key access.
import { randomUUID } from "node:crypto";
import type { VirtualClock } from "../../clock";
import { ArmError } from "../http/armHttp";
import { ENTERPRISE_POLICY_TYPE, resourceId } from "../http/resourceIds";
import type { ConsumerKeyAccess } from "../keyAccess/ConsumerKeyAccess";
import { isTransientFailure, type VaultResult } from "../keyAccess/KeyVaultDataPlane";
import type { VaultDirectory } from "../keyAccess/VaultDirectory";
import type { FaultInjector } from "../limits/Faults";
import type { AsyncOperation, AsyncOperations } from "../operations/AsyncOperations";
import type { EnterprisePolicy, PolicyEncryption, PolicyHealth } from "./EnterprisePolicy";
import type { PolicyDefinition, PolicyPatch } from "./policyWire";

/** Power Platform picks up a new key version "within 24 hours": the emulator does it once per virtual day. */
const PICK_UP_INTERVAL_MS = 86_400_000;

export interface EnterprisePoliciesDeps {
  clock: VirtualClock;
  keyAccess: ConsumerKeyAccess;
  vaults: VaultDirectory;
  faults: FaultInjector;
  operations: AsyncOperations;
  /** Environments linked to a policy (by policy ARM id), answered by the environments store. */
  linkedEnvironmentIds: (policyArmId: string) => string[];
}

export class EnterprisePolicies {
  private readonly policies = new Map<string, EnterprisePolicy>();
  /** One health evaluation per policy at a time: concurrent readers share it. */
  private readonly evaluations = new Map<EnterprisePolicy, Promise<PolicyHealth>>();

  constructor(private readonly deps: EnterprisePoliciesDeps) {}

  static armId(policy: EnterprisePolicy): string {
    return resourceId(policy.subscriptionId, policy.resourceGroup, ENTERPRISE_POLICY_TYPE, policy.name);
  }

  list(subscriptionId: string, resourceGroup?: string): EnterprisePolicy[] {
    return [...this.policies.values()].filter(
      (p) =>
        p.subscriptionId === subscriptionId &&
        (resourceGroup === undefined || p.resourceGroup.toLowerCase() === resourceGroup.toLowerCase()),
    );
  }

  all(): EnterprisePolicy[] {
    return [...this.policies.values()];
  }

  find(subscriptionId: string, resourceGroup: string, name: string): EnterprisePolicy | undefined {
    return this.policies.get(key(subscriptionId, resourceGroup, name));
  }

  get(subscriptionId: string, resourceGroup: string, name: string): EnterprisePolicy {
    const policy = this.find(subscriptionId, resourceGroup, name);
    if (!policy) {
      throw new ArmError(
        404,
        "ResourceNotFound",
        `The Resource 'Microsoft.PowerPlatform/enterprisePolicies/${name}' under resource group '${resourceGroup}' was not found.`,
      );
    }
    return policy;
  }

  findByArmId(armId: string): EnterprisePolicy | undefined {
    return this.all().find((p) => EnterprisePolicies.armId(p).toLowerCase() === armId.toLowerCase());
  }

  findBySystemId(systemId: string): EnterprisePolicy | undefined {
    return this.all().find((p) => p.systemId.toLowerCase() === systemId.toLowerCase());
  }

  /**
   * PUT. Answers at once with the policy and an operation that finishes when the change is applied (at once,
   * or after the "Updating" fault's delay).
   */
  createOrUpdate(
    subscriptionId: string,
    resourceGroup: string,
    name: string,
    definition: PolicyDefinition,
    /** Seeds apply at once even under the "Updating" fault. */
    isSeed = false,
  ): { policy: EnterprisePolicy; isNew: boolean; operation: AsyncOperation } {
    const existing = this.find(subscriptionId, resourceGroup, name);
    if (existing) {
      this.assertWritable(existing, definition.encryption);
      const operation = this.applyLater(existing, "Updating", isSeed, () => {
        existing.location = definition.location;
        existing.kind = definition.kind;
        existing.tags = definition.tags;
        this.setEncryption(existing, definition.encryption);
      });
      return { policy: existing, isNew: false, operation };
    }
    const nowIso = this.deps.clock.nowDate().toISOString();
    const policy: EnterprisePolicy = {
      subscriptionId,
      resourceGroup,
      name,
      location: definition.location,
      kind: definition.kind,
      tags: definition.tags,
      principalId: definition.principalId ?? randomUUID(),
      systemId: `/regions/${definition.location.replace(/\s/g, "").toLowerCase()}/providers/Microsoft.PowerPlatform/enterprisePolicies/${randomUUID()}`,
      health: "Undetermined",
      provisioningState: "Creating",
      isBusy: false,
      createdAt: nowIso,
      lastModifiedAt: nowIso,
    };
    this.policies.set(key(subscriptionId, resourceGroup, name), policy);
    const operation = this.applyLater(policy, "Creating", isSeed, () =>
      this.setEncryption(policy, definition.encryption),
    );
    return { policy, isNew: true, operation };
  }

  /** PATCH: applied synchronously (or left "Updating" under the fault). */
  update(subscriptionId: string, resourceGroup: string, name: string, patch: PolicyPatch): EnterprisePolicy {
    const policy = this.get(subscriptionId, resourceGroup, name);
    let encryption = policy.encryption;
    if (patch.encryption) {
      const base = policy.encryption;
      const keyVaultId = patch.encryption.keyVaultId ?? base?.keyVaultId;
      const keyName = patch.encryption.keyName ?? base?.keyName;
      if (!keyVaultId || !keyName) {
        throw new ArmError(
          400,
          "InvalidRequestContent",
          "'keyVault.id' and 'keyVault.key.name' are required.",
        );
      }
      const keyVersion =
        patch.encryption.keyVersion === undefined
          ? base?.keyVersion
          : (patch.encryption.keyVersion ?? undefined);
      encryption = {
        state: patch.encryption.state ?? base?.state ?? "Enabled",
        keyVaultId,
        keyName,
        keyVersion,
      };
    }
    this.assertWritable(policy, encryption);
    this.applyLater(policy, "Updating", false, () => {
      if (patch.tags) policy.tags = patch.tags;
      this.setEncryption(policy, encryption);
    });
    return policy;
  }

  delete(subscriptionId: string, resourceGroup: string, name: string): boolean {
    const policy = this.find(subscriptionId, resourceGroup, name);
    if (!policy) return false;
    const linked = this.deps.linkedEnvironmentIds(EnterprisePolicies.armId(policy));
    if (linked.length > 0) {
      throw new ArmError(
        409,
        "EnterprisePolicyLinkedToEnvironments",
        `Enterprise policy '${name}' is linked to environment(s) ${linked.join(", ")}; unlink them before deleting it.`,
      );
    }
    policy.pickUpTimer?.cancel();
    this.policies.delete(key(subscriptionId, resourceGroup, name));
    return true;
  }

  /**
   * Evaluates health from real key access, now: the policy identity unwraps the policy's data key with the key
   * version in use (wrapping a fresh one first if the policy has none yet).
   */
  evaluateHealth(policy: EnterprisePolicy): Promise<PolicyHealth> {
    const running = this.evaluations.get(policy);
    if (running) return running;
    const evaluation = this.runHealthEvaluation(policy).finally(() => this.evaluations.delete(policy));
    this.evaluations.set(policy, evaluation);
    return evaluation;
  }

  stop(): void {
    for (const policy of this.policies.values()) policy.pickUpTimer?.cancel();
  }

  private async runHealthEvaluation(policy: EnterprisePolicy): Promise<PolicyHealth> {
    const encryption = policy.encryption;
    if (!encryption) return (policy.health = "Undetermined");
    const vaultUrl = this.deps.vaults.urlForVaultArmId(encryption.keyVaultId);
    if (!vaultUrl) return (policy.health = "Unhealthy");
    let outcome: VaultResult<unknown>;
    if (!policy.keyInUse) {
      const reference = { vaultUrl, keyName: encryption.keyName, version: encryption.keyVersion ?? "" };
      const protectedKey = await this.deps.keyAccess.protect(reference, policy.principalId);
      if (protectedKey.ok) policy.keyInUse = protectedKey.value;
      outcome = protectedKey;
    } else {
      outcome = await this.deps.keyAccess.checkUnwrap(policy.keyInUse, policy.principalId);
    }
    if (outcome.ok) return (policy.health = "Healthy");
    // Throttling or a failing vault says nothing about access: keep the last verdict rather than lock environments.
    if (isTransientFailure(outcome)) return policy.health;
    return (policy.health = "Unhealthy");
  }

  /** A linked policy cannot change key, key version or vault in place (Microsoft's update script fails too). */
  private assertWritable(policy: EnterprisePolicy, next: PolicyEncryption | undefined): void {
    if (policy.isBusy) {
      throw new ArmError(
        409,
        "AnotherOperationInProgress",
        `Another operation on enterprise policy '${policy.name}' is in progress; retry when it has finished.`,
      );
    }
    const current = policy.encryption;
    const isKeyChange =
      current !== undefined &&
      (next === undefined ||
        current.keyVaultId.toLowerCase() !== next.keyVaultId.toLowerCase() ||
        current.keyName !== next.keyName ||
        (current.keyVersion ?? "") !== (next.keyVersion ?? ""));
    const linked = this.deps.linkedEnvironmentIds(EnterprisePolicies.armId(policy));
    if (isKeyChange && linked.length > 0) {
      throw new ArmError(
        409,
        "EnterprisePolicyLinkedToEnvironments",
        `Enterprise policy '${policy.name}' is linked to environment(s) ${linked.join(", ")}: its key vault, key and ` +
          "key version cannot be changed in place. Unlink the environments, update the policy, then link them again " +
          "(or use a versionless policy, which follows new key versions by itself).",
      );
    }
  }

  /** Applies a write now, or after the "Updating" fault's virtual delay; the operation tracks it either way. */
  private applyLater(
    policy: EnterprisePolicy,
    pendingState: "Creating" | "Updating",
    isImmediate: boolean,
    apply: () => void,
  ): AsyncOperation {
    const operation = this.deps.operations.start(EnterprisePolicies.armId(policy));
    const finish = () => {
      apply();
      policy.provisioningState = "Succeeded";
      policy.lastModifiedAt = this.deps.clock.nowDate().toISOString();
      policy.isBusy = false;
      this.deps.operations.succeed(operation);
    };
    const updatingMs = isImmediate ? 0 : this.deps.faults.updatingMs();
    if (updatingMs > 0) {
      policy.isBusy = true;
      policy.provisioningState = pendingState;
      this.deps.clock.setTimeout(updatingMs, finish);
    } else {
      finish();
    }
    return operation;
  }

  private setEncryption(policy: EnterprisePolicy, encryption: PolicyEncryption | undefined): void {
    const before = policy.encryption;
    policy.encryption = encryption;
    const isSameKey =
      before !== undefined &&
      encryption !== undefined &&
      before.keyVaultId.toLowerCase() === encryption.keyVaultId.toLowerCase() &&
      before.keyName === encryption.keyName &&
      (before.keyVersion ?? "") === (encryption.keyVersion ?? "");
    if (isSameKey) return;
    // A different key reference: the data key is wrapped anew at the next health evaluation.
    policy.keyInUse = undefined;
    policy.health = "Undetermined";
    policy.pickUpTimer?.cancel();
    policy.pickUpTimer = undefined;
    if (encryption && !encryption.keyVersion) this.schedulePickUp(policy);
  }

  /** Versionless policies move to the newest enabled version once per virtual day, re-wrapping the same data key. */
  private schedulePickUp(policy: EnterprisePolicy): void {
    const timer = this.deps.clock.setTimeout(PICK_UP_INTERVAL_MS, async () => {
      if (
        policy.pickUpTimer !== timer ||
        !this.policies.has(key(policy.subscriptionId, policy.resourceGroup, policy.name))
      ) {
        return;
      }
      await this.pickUpNewestVersion(policy);
      this.schedulePickUp(policy);
    });
    policy.pickUpTimer = timer;
  }

  private async pickUpNewestVersion(policy: EnterprisePolicy): Promise<void> {
    const current = policy.keyInUse;
    if (!current) return;
    const reference = { vaultUrl: current.vaultUrl, keyName: current.keyName, version: "" };
    const newest = await this.deps.keyAccess.resolveVersion(reference, policy.principalId);
    if (!newest.ok || newest.value.version === current.version) return;
    const rewrapped = await this.deps.keyAccess.protect(
      { ...reference, version: newest.value.version },
      policy.principalId,
      current.dataKey,
    );
    if (rewrapped.ok) policy.keyInUse = rewrapped.value;
  }
}

function key(subscriptionId: string, resourceGroup: string, name: string): string {
  return `${subscriptionId}/${resourceGroup}/${name}`.toLowerCase();
}
