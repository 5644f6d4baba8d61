// Power Platform environments: link/unlink of Encryption policies and the Enabled/Locked state that follows key access.
import { randomUUID } from "node:crypto";
import type { VirtualClock } from "../../clock";
import { ArmError } from "../http/armHttp";
import type { FaultInjector } from "../limits/Faults";
import type { AsyncOperation, AsyncOperations } from "../operations/AsyncOperations";
import { EnterprisePolicies } from "./EnterprisePolicies";
import type { EnterprisePolicy, PolicyHealth } from "./EnterprisePolicy";
import type { Environment } from "./Environment";

export interface EnvironmentsDeps {
  clock: VirtualClock;
  faults: FaultInjector;
  operations: AsyncOperations;
  policies: () => EnterprisePolicies;
}

export interface NewEnvironment {
  id?: string;
  displayName?: string;
  location?: string;
  azureRegion?: string;
  environmentSku?: string;
}

export class Environments {
  private readonly environments = new Map<string, Environment>();

  constructor(private readonly deps: EnvironmentsDeps) {}

  add(definition: NewEnvironment): Environment {
    const id = definition.id ?? randomUUID();
    if (this.environments.has(id.toLowerCase())) {
      throw new ArmError(409, "EnvironmentAlreadyExists", `Environment '${id}' already exists.`);
    }
    const environment: Environment = {
      id,
      displayName: definition.displayName ?? `Environment ${id.slice(0, 8)}`,
      location: definition.location ?? "unitedstates",
      azureRegion: definition.azureRegion ?? "westus",
      environmentSku: definition.environmentSku ?? "Production",
      createdTime: this.deps.clock.nowDate().toISOString(),
      runtimeState: "Enabled",
      isBusy: false,
    };
    this.environments.set(id.toLowerCase(), environment);
    return environment;
  }

  all(): Environment[] {
    return [...this.environments.values()];
  }

  get(id: string): Environment {
    const environment = this.environments.get(id.toLowerCase());
    if (!environment) throw new ArmError(404, "EnvironmentNotFound", `Environment '${id}' was not found.`);
    return environment;
  }

  linkedTo(policyArmId: string): string[] {
    return this.all()
      .filter((e) => e.linkedPolicyArmId?.toLowerCase() === policyArmId.toLowerCase())
      .map((e) => e.id);
  }

  /** Brings the state up to date: an environment whose policy cannot use its key is Locked at once. */
  async refresh(environment: Environment): Promise<PolicyHealth | undefined> {
    const policy = this.linkedPolicy(environment);
    if (!policy) return undefined;
    const health = await this.deps.policies().evaluateHealth(policy);
    if (health === "Unhealthy" && environment.runtimeState === "Enabled") {
      environment.runtimeState = "Locked";
      environment.lockedAt = this.deps.clock.nowDate().toISOString();
    }
    return health;
  }

  async refreshAll(): Promise<void> {
    await Promise.all(this.all().map((e) => this.refresh(e)));
  }

  linkedPolicy(environment: Environment): EnterprisePolicy | undefined {
    return environment.linkedPolicyArmId
      ? this.deps.policies().findByArmId(environment.linkedPolicyArmId)
      : undefined;
  }

  /** Admin re-enable of a Locked environment: only once the policy can use its key again. */
  async enable(id: string): Promise<Environment> {
    const environment = this.get(id);
    const health = await this.refresh(environment);
    if (health === "Unhealthy") {
      throw new ArmError(
        409,
        "EnterprisePolicyKeyInaccessible",
        `Environment '${id}' cannot be enabled: its enterprise policy cannot access its key. Restore key access first.`,
      );
    }
    environment.runtimeState = "Enabled";
    environment.lockedAt = undefined;
    return environment;
  }

  /** POST …/enterprisePolicies/Encryption/link: validated now, applied by the returned operation. */
  link(id: string, policySystemId: string): AsyncOperation {
    const environment = this.get(id);
    const policy = this.encryptionPolicy(policySystemId);
    return this.runOperation(environment, async () => {
      const health = await this.deps.policies().evaluateHealth(policy);
      if (health !== "Healthy") {
        return {
          code: "EnterprisePolicyKeyInaccessible",
          message: `The enterprise policy '${policy.name}' cannot access its key vault key; grant its identity access first.`,
        };
      }
      environment.linkedPolicyArmId = EnterprisePolicies.armId(policy);
      environment.runtimeState = "Enabled";
      environment.lockedAt = undefined;
      return undefined;
    });
  }

  /** POST …/enterprisePolicies/Encryption/unlink: decrypting back needs the key, so it needs key access too. */
  unlink(id: string, policySystemId: string): AsyncOperation {
    const environment = this.get(id);
    const policy = this.encryptionPolicy(policySystemId);
    if (environment.linkedPolicyArmId?.toLowerCase() !== EnterprisePolicies.armId(policy).toLowerCase()) {
      throw new ArmError(
        400,
        "EnterprisePolicyNotLinked",
        `Enterprise policy '${policy.name}' is not linked to environment '${id}'.`,
      );
    }
    return this.runOperation(environment, async () => {
      const health = await this.deps.policies().evaluateHealth(policy);
      if (health !== "Healthy") {
        return {
          code: "EnterprisePolicyKeyInaccessible",
          message: `Environment '${id}' cannot be unlinked while its policy cannot access its key.`,
        };
      }
      environment.linkedPolicyArmId = undefined;
      environment.runtimeState = "Enabled";
      environment.lockedAt = undefined;
      return undefined;
    });
  }

  private encryptionPolicy(systemId: string): EnterprisePolicy {
    if (!systemId)
      throw new ArmError(400, "InvalidRequestContent", "'SystemId' of the enterprise policy is required.");
    const policy = this.deps.policies().findBySystemId(systemId);
    if (!policy) {
      throw new ArmError(
        404,
        "EnterprisePolicyNotFound",
        `No enterprise policy has the system id '${systemId}'.`,
      );
    }
    if (policy.kind.toLowerCase() !== "encryption") {
      throw new ArmError(
        400,
        "InvalidEnterprisePolicyKind",
        `Enterprise policy '${policy.name}' is not an Encryption policy.`,
      );
    }
    return policy;
  }

  /** Runs a link/unlink as an operation: at once, or after the "Updating" fault's virtual delay. */
  private runOperation(
    environment: Environment,
    work: () => Promise<{ code: string; message: string } | undefined>,
  ): AsyncOperation {
    if (environment.isBusy) {
      throw new ArmError(
        409,
        "AnotherOperationInProgress",
        `Another enterprise policy operation on environment '${environment.id}' is in progress.`,
      );
    }
    environment.isBusy = true;
    const operation = this.deps.operations.start(environment.id);
    const finish = async () => {
      try {
        const error = await work();
        if (error) this.deps.operations.fail(operation, error);
        else this.deps.operations.succeed(operation);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.deps.operations.fail(operation, { code: "InternalServerError", message });
      } finally {
        environment.isBusy = false;
      }
    };
    const delayMs = this.deps.faults.updatingMs();
    if (delayMs > 0) this.deps.clock.setTimeout(delayMs, finish);
    else void finish();
    return operation;
  }
}
