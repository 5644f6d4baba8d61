// Consumer kind powerPlatformPolicy: a Power Platform enterprise policy (kind Encryption) that references the key.
import type { GenericResource } from "@azure/arm-resources";
import type { BindingTarget } from "../bindings/types";
import { DomainError, fromAzureError, statusOf } from "../errors";
import { isSameKey } from "../keys/keyId";
import type { KeyIdentity, KeyType } from "../keys/types";
import { armResourceIdProblem, parseArmResourceId, vaultNameOfArmId } from "./armResourceId";
import type { ConsumerDeps } from "./deps";
import { enableEnvironment, listEnvironmentsLinkedTo } from "./powerPlatformEnvironments";
import type {
  AccessCheck,
  ApplyResult,
  ConsumerReference,
  ConsumerSpec,
  PowerPlatformPolicyConsumer,
  VerifyResult,
} from "./types";

/** api-version of Microsoft.PowerPlatform/enterprisePolicies in Microsoft's templates (never set client-wide). */
export const ENTERPRISE_POLICY_API_VERSION = "2020-10-30";
const POLICY_NAME = /^[-\w.]{1,100}$/;

export const powerPlatformPolicySpec: ConsumerSpec = {
  kind: "powerPlatformPolicy",
  description:
    "Power Platform enterprise policy (kind Encryption) used by Dynamics 365 Customer Insights - Data environments",
  resourceIdExample:
    "/subscriptions/<guid>/resourceGroups/<group>/providers/Microsoft.PowerPlatform/enterprisePolicies/<name>",
  resourceIdProblem: (resourceId) =>
    armResourceIdProblem(
      resourceId,
      "Microsoft.PowerPlatform",
      "enterprisePolicies",
      POLICY_NAME,
      "policy names are letters, digits, '-', '_' and '.'",
    ),
  keyProblem: (keyType: KeyType, keySize: number | undefined) =>
    (keyType === "RSA" || keyType === "RSA-HSM") && (keySize === 2048 || keySize === 3072)
      ? undefined
      : `Power Platform accepts RSA keys of 2048 or 3072 bits only, not ${keyType}${keySize ? ` ${keySize}` : ""}.`,
  // Microsoft: the previous version must stay enabled at least 28 days or environments go offline.
  minimumRetireAfter: "P28D",
};

interface PolicyFacts {
  vaultArmId?: string;
  vaultName?: string;
  keyName?: string;
  keyVersion?: string;
  healthStatus?: string;
  systemId?: string;
  state?: string;
  provisioningState?: string;
}

/** Reads the wire shape properties.encryption.keyVault.{id,key:{name,version}} into domain facts. */
function factsOf(resource: GenericResource): PolicyFacts {
  const properties = (resource.properties ?? {}) as {
    encryption?: { state?: string; keyVault?: { id?: string; key?: { name?: string; version?: string } } };
    healthStatus?: string;
    systemId?: string;
    provisioningState?: string;
  };
  const keyVault = properties.encryption?.keyVault;
  return {
    vaultArmId: keyVault?.id,
    vaultName: keyVault?.id ? vaultNameOfArmId(keyVault.id) : undefined,
    keyName: keyVault?.key?.name,
    keyVersion: keyVault?.key?.version || undefined,
    healthStatus: properties.healthStatus,
    systemId: properties.systemId,
    state: properties.encryption?.state,
    provisioningState: properties.provisioningState,
  };
}

/**
 * Builds the powerPlatformPolicy consumer. Needs Microsoft.PowerPlatform/enterprisePolicies/read
 * and /write on the policy, and Power Platform admin read on environments (write to re-enable).
 */
export function createPowerPlatformPolicyConsumer(deps: ConsumerDeps): PowerPlatformPolicyConsumer {
  const subscriptionOf = (target: BindingTarget): string => {
    const parsed = parseArmResourceId(target.resourceId);
    if (!parsed)
      throw new DomainError(
        "InvalidBinding",
        powerPlatformPolicySpec.resourceIdProblem(target.resourceId) ?? "bad resource id",
      );
    return parsed.subscriptionId;
  };
  const fail = (subject: string, error: unknown, dependency = "Azure Resource Manager") =>
    fromAzureError(error, { dependency, subject, notFoundCode: "ResourceNotFound" });

  const readPolicy = async (target: BindingTarget): Promise<PolicyFacts> => {
    try {
      return factsOf(
        await deps.clients
          .resourceClient(subscriptionOf(target))
          .resources.getById(target.resourceId, ENTERPRISE_POLICY_API_VERSION),
      );
    } catch (error) {
      throw fail(`enterprise policy ${target.resourceId}`, error);
    }
  };

  const linkedEnvironments = async (target: BindingTarget, systemId: string | undefined) => {
    try {
      return await listEnvironmentsLinkedTo(deps.clients.powerPlatformAdmin(), {
        resourceId: target.resourceId,
        systemId,
      });
    } catch (error) {
      throw fail(`environments of ${target.resourceId}`, error, "Power Platform admin API");
    }
  };

  const assertUsesKey = (target: BindingTarget, facts: PolicyFacts, key: KeyIdentity): void => {
    if (
      !facts.vaultName ||
      !facts.keyName ||
      !isSameKey({ vaultName: facts.vaultName, keyName: facts.keyName }, key)
    ) {
      throw new DomainError(
        "TargetMismatch",
        `Enterprise policy ${target.resourceId} uses key ${facts.keyName ?? "none"} in vault ${facts.vaultName ?? "none"}, not ${key.keyName} in ${key.vaultName}: fix the binding or the policy.`,
      );
    }
  };

  return {
    kind: "powerPlatformPolicy",

    /** Needs enterprisePolicies/read and admin environment read. */
    async readCurrentReference(target): Promise<ConsumerReference> {
      const facts = await readPolicy(target);
      if (!facts.keyName)
        throw new DomainError(
          "TargetMismatch",
          `Enterprise policy ${target.resourceId} has no Key Vault key (is it kind Encryption?).`,
        );
      const environments = await linkedEnvironments(target, facts.systemId);
      return {
        ...(facts.vaultName ? { vaultName: facts.vaultName } : {}),
        keyName: facts.keyName,
        ...(facts.keyVersion ? { configuredVersion: facts.keyVersion } : {}),
        isLinked: environments.length > 0,
        ...(facts.healthStatus ? { healthStatus: facts.healthStatus } : {}),
      };
    },

    /**
     * Versionless: no write. Pinned and unlinked: PATCH key.version (enterprisePolicies/write).
     * Pinned and linked: never touched (Microsoft's update fails on linked policies and a half
     * applied change takes environments offline): ActionRequired with the manual step.
     */
    async applyVersion(target, key, version): Promise<ApplyResult> {
      // Read right before the write, so a change made since the rotation started is never written back.
      const facts = await readPolicy(target);
      assertUsesKey(target, facts, key);
      if (target.mode === "versionless") {
        if (facts.keyVersion) {
          return {
            outcome: "ActionRequired",
            detail: `Bound as versionless but the policy pins version ${facts.keyVersion}: unlink its environments, remove key.version from the policy, and relink them; or bind it as pinned.`,
          };
        }
        return {
          outcome: "NoWriteNeeded",
          detail: "Versionless: Power Platform picks up the newest version within 24 hours.",
        };
      }
      if (facts.keyVersion === version)
        return { outcome: "AlreadyApplied", detail: `Already pinned to version ${version}.` };
      const environments = await linkedEnvironments(target, facts.systemId);
      if (environments.length > 0) {
        const names = environments.map((environment) => environment.displayName ?? environment.id).join(", ");
        return {
          outcome: "ActionRequired",
          detail:
            `Policy is linked to ${environments.length} environment(s) (${names}) and pins version ${facts.keyVersion ?? "none"}; a linked policy cannot be updated in place. ` +
            `Manual step: in the Power Platform admin center unlink the policy from those environments, set key version ${version} on ${target.resourceId} ` +
            `(or make it versionless), then relink the environments.`,
        };
      }
      try {
        const poller = await deps.clients.resourceClient(subscriptionOf(target)).resources.beginUpdateById(
          target.resourceId,
          ENTERPRISE_POLICY_API_VERSION,
          {
            properties: {
              encryption: {
                state: facts.state ?? "Enabled",
                keyVault: { id: facts.vaultArmId, key: { name: facts.keyName, version } },
              },
            },
          },
          deps.pollIntervalMs === undefined ? {} : { updateIntervalInMs: deps.pollIntervalMs },
        );
        await poller.pollUntilDone();
      } catch (error) {
        // Linked between our read and the write: ARM refuses (409), which is the linked case again.
        if (statusOf(error) === 409) {
          return {
            outcome: "ActionRequired",
            detail:
              `Azure Resource Manager refused to update ${target.resourceId} (409: linked to environments). ` +
              `Manual step: unlink the policy from its environments, set key version ${version} (or make it versionless), then relink them.`,
          };
        }
        throw fail(`enterprise policy ${target.resourceId}`, error);
      }
      return {
        outcome: "Applied",
        detail: `Pinned to version ${version} (was ${facts.keyVersion ?? "none"}); no environment is linked.`,
      };
    },

    /** healthStatus Healthy on the expected version (versionless: on the key). Needs enterprisePolicies/read. */
    async verify(target, key, expectedVersion): Promise<VerifyResult> {
      const facts = await readPolicy(target);
      assertUsesKey(target, facts, key);
      const health = facts.healthStatus ?? "Undetermined";
      // An accepted write can leave the policy Updating with its previous settings for a while.
      if (facts.provisioningState && facts.provisioningState !== "Succeeded") {
        return { state: "Pending", detail: `Policy is ${facts.provisioningState}; health ${health}.` };
      }
      if (target.mode === "pinned" && facts.keyVersion !== expectedVersion) {
        return {
          state: "Failed",
          detail: `Pinned to ${facts.keyVersion ?? "no version"}, not ${expectedVersion}; health ${health}.`,
        };
      }
      if (health === "Healthy")
        return {
          state: "Verified",
          ...(facts.keyVersion ? { versionInUse: facts.keyVersion } : {}),
          detail: "Policy reports Healthy.",
        };
      if (health === "Unhealthy")
        return { state: "Failed", detail: "Policy reports Unhealthy: its identity cannot use the key." };
      return { state: "Pending", detail: `Policy reports ${health}.` };
    },

    /** Healthy = Accessible, Unhealthy = Denied. Needs enterprisePolicies/read. */
    async checkAccess(target): Promise<AccessCheck> {
      const health = (await readPolicy(target)).healthStatus ?? "Undetermined";
      if (health === "Healthy") return { state: "Accessible", detail: "Policy reports Healthy." };
      if (health === "Unhealthy") return { state: "Denied", detail: "Policy reports Unhealthy." };
      return { state: "Unknown", detail: `Policy reports ${health}.` };
    },

    async listLinkedEnvironments(target) {
      return linkedEnvironments(target, (await readPolicy(target)).systemId);
    },

    async enableEnvironment(environmentId) {
      try {
        await enableEnvironment(deps.clients.powerPlatformAdmin(), environmentId);
      } catch (error) {
        throw fail(`environment ${environmentId}`, error, "Power Platform admin API");
      }
    },
  };
}
