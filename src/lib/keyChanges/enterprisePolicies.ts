// Enterprise policies in a key change: read the old one, find or create the one for the new key.
import type { AzureClients } from "../azure";
import { ENTERPRISE_POLICY_API_VERSION, parseArmResourceId } from "../consumers";
import type { ConsumerDiscovery } from "../discovery";
import { DomainError, fromAzureError } from "../errors";
import type { KeyIdentity } from "../keys";

export interface PolicyFacts {
  resourceId: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  /** properties.systemId: what link and unlink name. */
  systemId?: string;
  /** The system-assigned identity Power Platform unwraps with. */
  principalId?: string;
  vaultArmId?: string;
  keyName?: string;
  keyVersion?: string;
  provisioningState?: string;
}

interface WirePolicy {
  id?: string;
  name?: string;
  location?: string;
  identity?: { systemAssignedIdentityPrincipalId?: string; principalId?: string };
  properties?: {
    systemId?: string;
    provisioningState?: string;
    encryption?: { keyVault?: { id?: string; key?: { name?: string; version?: string } } };
  };
}

/** Policy names allow letters, digits, '-', '_' and '.', up to 100. */
function policyNameFor(oldName: string, to: KeyIdentity): string {
  return `${oldName}-${to.keyName}`.replace(/[^-\w.]/g, "-").slice(0, 100);
}

/**
 * Needs Microsoft.PowerPlatform/enterprisePolicies/read and /write in the old policy's resource
 * group (the deployment's key change role), and what discovery needs.
 */
export function createEnterprisePolicies(clients: AzureClients, discovery: ConsumerDiscovery) {
  const read = async (resourceId: string): Promise<PolicyFacts> => {
    const parsed = parseArmResourceId(resourceId);
    if (!parsed) throw new DomainError("InvalidBinding", `Not an enterprise policy id: ${resourceId}.`);
    let policy: WirePolicy;
    try {
      // The generic resource model drops identity.systemAssignedIdentityPrincipalId: read the body as sent.
      let rawBody: string | undefined;
      const mapped: WirePolicy = await clients
        .resourceClient(parsed.subscriptionId)
        .resources.getById(resourceId, ENTERPRISE_POLICY_API_VERSION, {
          onResponse: (response) => {
            rawBody = response.bodyAsText ?? undefined;
          },
        });
      policy = rawBody ? (JSON.parse(rawBody) as WirePolicy) : mapped;
    } catch (error) {
      throw fromAzureError(error, {
        dependency: "Azure Resource Manager",
        subject: `enterprise policy ${resourceId}`,
        notFoundCode: "ResourceNotFound",
      });
    }
    const keyVault = policy.properties?.encryption?.keyVault;
    const principalId = policy.identity?.systemAssignedIdentityPrincipalId ?? policy.identity?.principalId;
    return {
      resourceId: policy.id ?? resourceId,
      name: policy.name ?? parsed.name,
      subscriptionId: parsed.subscriptionId,
      resourceGroup: parsed.resourceGroup,
      location: policy.location ?? "",
      ...(policy.properties?.systemId ? { systemId: policy.properties.systemId } : {}),
      ...(principalId ? { principalId } : {}),
      ...(keyVault?.id ? { vaultArmId: keyVault.id } : {}),
      ...(keyVault?.key?.name ? { keyName: keyVault.key.name } : {}),
      ...(keyVault?.key?.version ? { keyVersion: keyVault.key.version } : {}),
      ...(policy.properties?.provisioningState
        ? { provisioningState: policy.properties.provisioningState }
        : {}),
    };
  };

  return {
    read,

    /** A policy already on the new key in the old one's subscription and region, if Resource Graph and ARM show one. */
    async findFor(to: KeyIdentity, old: PolicyFacts): Promise<PolicyFacts | undefined> {
      const found = await discovery.find(to);
      for (const candidate of found.filter((row) => row.kind === "powerPlatformPolicy")) {
        if (candidate.resourceId.toLowerCase() === old.resourceId.toLowerCase()) continue;
        const facts = await read(candidate.resourceId);
        if (
          facts.subscriptionId.toLowerCase() === old.subscriptionId.toLowerCase() &&
          facts.location.toLowerCase() === old.location.toLowerCase() &&
          facts.keyName?.toLowerCase() === to.keyName.toLowerCase()
        )
          return facts;
      }
      return undefined;
    },

    /**
     * Creates (or, run twice, finds again under the same name) a policy beside the old one: same
     * region and resource group, system identity, the new vault and key (pinned to `version` when given).
     */
    async createFor(
      to: KeyIdentity,
      old: PolicyFacts,
      vaultArmId: string,
      version: string | undefined,
    ): Promise<PolicyFacts> {
      const name = policyNameFor(old.name, to);
      const resourceId = `/subscriptions/${old.subscriptionId}/resourceGroups/${old.resourceGroup}/providers/Microsoft.PowerPlatform/enterprisePolicies/${name}`;
      try {
        const poller = await clients.resourceClient(old.subscriptionId).resources.beginCreateOrUpdateById(
          resourceId,
          ENTERPRISE_POLICY_API_VERSION,
          {
            location: old.location,
            kind: "Encryption",
            identity: { type: "SystemAssigned" },
            properties: {
              encryption: {
                state: "Enabled",
                keyVault: { id: vaultArmId, key: { name: to.keyName, ...(version ? { version } : {}) } },
              },
            },
          },
          { updateIntervalInMs: 1000 },
        );
        await poller.pollUntilDone();
      } catch (error) {
        throw fromAzureError(error, {
          dependency: "Azure Resource Manager",
          subject: `enterprise policy ${resourceId}`,
        });
      }
      return read(resourceId);
    },
  };
}

export type EnterprisePolicies = ReturnType<typeof createEnterprisePolicies>;
