// Power Platform environments: link/unlink of Encryption policies, the states they pass through, and the data key
// each environment keeps wrapped by its policy's key (so access to that key decides whether its data is readable).
import { randomBytes, randomUUID } from "node:crypto";
import type { VirtualClock } from "../../clock";
import { ArmError } from "../http/armHttp";
import type { ConsumerKeyAccess } from "../keyAccess/ConsumerKeyAccess";
import { isTransientFailure } from "../keyAccess/KeyVaultDataPlane";
import type { FaultInjector } from "../limits/Faults";
import type { AsyncOperation, AsyncOperations } from "../operations/AsyncOperations";
import type { EnvironmentDataAccess } from "../types";
import { EnterprisePolicies } from "./EnterprisePolicies";
import type { EnterprisePolicy, PolicyHealth } from "./EnterprisePolicy";
import type { Environment } from "./Environment";

export interface EnvironmentsDeps {
  clock: VirtualClock;
  faults: FaultInjector;
  operations: AsyncOperations;
  policies: () => EnterprisePolicies;
  keyAccess: ConsumerKeyAccess;
  /** How long a link or unlink runs (virtual ms). */
  operationDurationMs: number;
}

export interface NewEnvironment {
  id?: string;
  displayName?: string;
  location?: string;
  azureRegion?: string;
  environmentSku?: string;
}

type OperationError = { code: string; message: string };

export class Environments {
  private readonly environments = new Map<string, Environment>();
  private operationDurationMs: number;
  /** The Retry-After a running link/unlink asks for; undefined: the seconds it has left. */
  private retryAfterSeconds: number | undefined;

  constructor(private readonly deps: EnvironmentsDeps) {
    this.operationDurationMs = deps.operationDurationMs;
  }

  setOperationDuration(ms: number, retryAfterSeconds?: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new Error(`link duration must be ≥ 0 ms, got ${ms}`);
    if (retryAfterSeconds !== undefined && !(Number.isInteger(retryAfterSeconds) && retryAfterSeconds >= 1))
      throw new Error(`Retry-After must be a whole number of seconds ≥ 1, got ${retryAfterSeconds}`);
    this.operationDurationMs = ms;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /**
   * Retry-After (whole seconds, at least 1) for a running link/unlink: the fixed interval when one is set (as a
   * service that cannot know its end asks to be polled), else the seconds until the emulator finishes it.
   */
  retryAfterOf(operation: AsyncOperation): string {
    if (this.retryAfterSeconds !== undefined) return String(this.retryAfterSeconds);
    const leftMs = (operation.expectedEndMs ?? this.nowMs()) - this.nowMs();
    return String(Math.max(1, Math.ceil(leftMs / 1000)));
  }

  nowMs(): number {
    return this.deps.clock.now();
  }

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
      dataKey: randomBytes(32),
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

  /**
   * Brings the state up to date: the data key follows the key version its policy uses (a versionless policy's
   * daily pick-up), and an environment whose policy cannot use its key is Locked at once.
   */
  async refresh(environment: Environment): Promise<PolicyHealth | undefined> {
    if (environment.isBusy) return undefined;
    const policy = this.linkedPolicy(environment);
    if (!policy) return undefined;
    const health = await this.deps.policies().evaluateHealth(policy);
    const inUse = policy.keyInUse;
    if (health === "Healthy" && inUse && environment.protection?.kid !== inUse.kid) {
      const wrapped = await this.deps.keyAccess.protect(
        { vaultUrl: inUse.vaultUrl, keyName: inUse.keyName, version: inUse.version },
        policy.principalId,
        environment.dataKey,
      );
      if (wrapped.ok) environment.protection = wrapped.value;
    }
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

  /** The data probe: unavailable during an operation, readable only when its data key unwraps now. */
  async dataAccess(id: string): Promise<EnvironmentDataAccess> {
    const environment = this.get(id);
    const base = { environmentId: environment.id, state: environment.runtimeState };
    if (environment.isBusy)
      return { ...base, status: 503, reason: "A link or unlink is running: data is unavailable." };
    await this.refresh(environment);
    const policy = this.linkedPolicy(environment);
    const state = { ...base, state: environment.runtimeState };
    if (environment.runtimeState === "Locked")
      return { ...state, status: 403, reason: "Locked: its policy lost access to its key." };
    if (!policy) return { ...state, status: 200, reason: "Microsoft-managed key." };
    const protection = environment.protection;
    if (!protection)
      return { ...state, status: 403, reason: "Its data key is not wrapped by the policy's key." };
    const unwrap = await this.deps.keyAccess.checkUnwrap(protection, policy.principalId);
    if (unwrap.ok) return { ...state, status: 200, keyId: protection.kid };
    return {
      ...state,
      status: isTransientFailure(unwrap) ? 503 : 403,
      keyId: protection.kid,
      reason: `${unwrap.code}: ${unwrap.message}`,
    };
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

  /**
   * POST …/enterprisePolicies/Encryption/link: validated now, applied by the returned operation. An environment
   * already on another policy (the undocumented direct move) has its data key unwrapped with the old key first.
   */
  link(id: string, policySystemId: string): AsyncOperation {
    const environment = this.get(id);
    const policy = this.encryptionPolicy(policySystemId);
    return this.runOperation(environment, async () => {
      const health = await this.deps.policies().evaluateHealth(policy);
      const inUse = policy.keyInUse;
      if (health !== "Healthy" || !inUse) {
        return {
          code: "EnterprisePolicyKeyInaccessible",
          message: `The enterprise policy '${policy.name}' cannot access its key vault key; grant its identity access first.`,
        };
      }
      const current = this.linkedPolicy(environment);
      if (current && environment.protection) {
        const unwrap = await this.deps.keyAccess.checkUnwrap(environment.protection, current.principalId);
        if (!unwrap.ok) {
          return {
            code: "EnterprisePolicyKeyInaccessible",
            message: `Environment '${id}' cannot be moved: its current policy '${current.name}' cannot unwrap its data key (${unwrap.code}).`,
          };
        }
      }
      const wrapped = await this.deps.keyAccess.protect(
        { vaultUrl: inUse.vaultUrl, keyName: inUse.keyName, version: inUse.version },
        policy.principalId,
        environment.dataKey,
      );
      if (!wrapped.ok) {
        return {
          code: "EnterprisePolicyKeyInaccessible",
          message: `The enterprise policy '${policy.name}' could not wrap the environment's data key (${wrapped.code}).`,
        };
      }
      environment.linkedPolicyArmId = EnterprisePolicies.armId(policy);
      environment.protection = wrapped.value;
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
      const unwrap = environment.protection
        ? await this.deps.keyAccess.checkUnwrap(environment.protection, policy.principalId)
        : undefined;
      if (health !== "Healthy" || (unwrap && !unwrap.ok)) {
        return {
          code: "EnterprisePolicyKeyInaccessible",
          message: `Environment '${id}' cannot be unlinked while its policy cannot access its key.`,
        };
      }
      environment.linkedPolicyArmId = undefined;
      environment.protection = undefined;
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

  /**
   * Runs a link/unlink as an operation: the environment is Disabled (data unavailable) for the operation's
   * duration (plus the "Updating" fault's delay), then Enabled again, on the new key or, after a failure, the old.
   */
  private runOperation(
    environment: Environment,
    work: () => Promise<OperationError | undefined>,
  ): AsyncOperation {
    if (environment.isBusy) {
      throw new ArmError(
        409,
        "AnotherOperationInProgress",
        `Another enterprise policy operation on environment '${environment.id}' is in progress.`,
      );
    }
    const before = environment.runtimeState;
    environment.isBusy = true;
    environment.runtimeState = "Disabled";
    const operation = this.deps.operations.start(environment.id);
    const delayMs = this.operationDurationMs + this.deps.faults.updatingMs();
    operation.expectedEndMs = this.deps.clock.now() + delayMs;
    const finish = async () => {
      try {
        const error = await work();
        if (error) this.deps.operations.fail(operation, error);
        else this.deps.operations.succeed(operation);
        environment.runtimeState = error ? before : "Enabled";
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.deps.operations.fail(operation, { code: "InternalServerError", message });
        environment.runtimeState = before;
      } finally {
        environment.isBusy = false;
      }
    };
    if (delayMs > 0) this.deps.clock.setTimeout(delayMs, finish);
    else void finish();
    return operation;
  }
}
