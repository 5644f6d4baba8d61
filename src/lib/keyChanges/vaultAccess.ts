// Reads a vault's ARM properties and whether a principal may use its keys (role assignments or access policies).
import type { AzureClients } from "../azure";
import { DomainError, fromAzureError } from "../errors";
import type { VaultAllowList } from "../keys";
import { parseArmResourceId } from "../consumers/armResourceId";
import { GraphQuotaGate, readAllRows, resourceGraphReader, type DiscoveryScopes } from "../discovery";

/** api-version of Microsoft.KeyVault/vaults the app reads (infra/apiVersions.json). */
export const KEY_VAULT_API_VERSION = "2023-07-01";

/** Roles that grant get, wrapKey and unwrapKey on keys (Azure built-in role definition ids). */
export const KEY_USER_ROLES: Readonly<Record<string, string>> = {
  "e147488a-f6f5-4113-8e2d-b22465e65bf6": "Key Vault Crypto Service Encryption User",
  "14b46e9e-c2b7-41b4-b07b-48a6ebf60603": "Key Vault Crypto Officer",
  "00482a5a-887f-4fb3-b363-3b7fe8e74483": "Key Vault Administrator",
};
/** The least role a consumer needs on an RBAC vault. */
export const CONSUMER_ROLE_NAME = "Key Vault Crypto Service Encryption User";
const NEEDED_KEY_PERMISSIONS = ["get", "wrapkey", "unwrapkey"];

export interface VaultFacts {
  vaultName: string;
  armId: string;
  location?: string;
  isSoftDeleteEnabled: boolean;
  isPurgeProtectionEnabled: boolean;
  isRbacAuthorization: boolean;
  accessPolicies: ReadonlyArray<{ objectId: string; keyPermissions: readonly string[] }>;
}

/** Can this principal wrap and unwrap with the key, and if not, exactly what an admin runs. */
export type KeyAccessVerdict = { canUse: true; through: string } | { canUse: false; grantLine: string };

export interface VaultAccessReader {
  /** The vault's ARM resource (found through Resource Graph, then read from ARM). Needs Microsoft.KeyVault/vaults/read. */
  readVault(vaultName: string): Promise<VaultFacts>;
  /** Needs Microsoft.Authorization/roleAssignments/read on RBAC vaults (vault properties otherwise). */
  canUseKey(vault: VaultFacts, principalId: string, keyName: string): Promise<KeyAccessVerdict>;
}

interface WireVault {
  id?: string;
  location?: string;
  properties?: {
    enableSoftDelete?: boolean;
    enablePurgeProtection?: boolean;
    enableRbacAuthorization?: boolean;
    accessPolicies?: Array<{ objectId?: string; permissions?: { keys?: string[] } }>;
  };
}

function roleGuidOf(roleDefinitionId: string | undefined): string | undefined {
  return roleDefinitionId?.split("/").pop()?.toLowerCase();
}

/** True when an assignment at `assignedScope` covers `scope` (the same scope or one of its parents). */
function covers(assignedScope: string | undefined, scope: string): boolean {
  if (!assignedScope) return false;
  const parent = assignedScope.toLowerCase().replace(/\/+$/, "");
  const child = scope.toLowerCase();
  return parent === "/" || child === parent || child.startsWith(`${parent}/`);
}

export function createVaultAccessReader(deps: {
  clients: AzureClients;
  allowList: VaultAllowList;
  scopes: DiscoveryScopes;
}): VaultAccessReader {
  const gate = new GraphQuotaGate();
  return {
    async readVault(vaultName) {
      deps.allowList.urlOf(vaultName);
      const query = `resources | where type =~ 'microsoft.keyvault/vaults' and name =~ '${vaultName.replace(/'/g, "")}' | project id, name`;
      const rows = (await readAllRows(
        resourceGraphReader(deps.clients.resourceGraph()),
        query,
        deps.scopes,
        gate,
      )) as Array<{ id?: string }>;
      const armId = rows.find((row) => typeof row.id === "string")?.id;
      const parsed = armId ? parseArmResourceId(armId) : undefined;
      if (!armId || !parsed) {
        throw new DomainError(
          "ResourceNotFound",
          `Vault ${vaultName} was not found through Azure Resource Graph: grant the app Reader on the vault's subscription, or add the subscription to CMK_DISCOVERY_SCOPES.`,
        );
      }
      let vault: WireVault;
      try {
        vault = await deps.clients
          .resourceClient(parsed.subscriptionId)
          .resources.getById(armId, KEY_VAULT_API_VERSION);
      } catch (error) {
        throw fromAzureError(error, { dependency: "Azure Resource Manager", subject: `vault ${armId}` });
      }
      const properties = vault.properties ?? {};
      return {
        vaultName,
        armId,
        ...(vault.location ? { location: vault.location } : {}),
        isSoftDeleteEnabled: properties.enableSoftDelete !== false,
        isPurgeProtectionEnabled: properties.enablePurgeProtection === true,
        isRbacAuthorization: properties.enableRbacAuthorization === true,
        accessPolicies: (properties.accessPolicies ?? []).map((policy) => ({
          objectId: policy.objectId ?? "",
          keyPermissions: (policy.permissions?.keys ?? []).map((permission) => permission.toLowerCase()),
        })),
      };
    },

    async canUseKey(vault, principalId, keyName) {
      const wanted = principalId.toLowerCase();
      if (!vault.isRbacAuthorization) {
        const policy = vault.accessPolicies.find((candidate) => candidate.objectId.toLowerCase() === wanted);
        const missing = NEEDED_KEY_PERMISSIONS.filter(
          (permission) =>
            !policy?.keyPermissions.includes(permission) && !policy?.keyPermissions.includes("all"),
        );
        if (missing.length === 0) return { canUse: true, through: "an access policy" };
        return {
          canUse: false,
          grantLine: `az keyvault set-policy --name ${vault.vaultName} --object-id ${principalId} --key-permissions get wrapKey unwrapKey`,
        };
      }
      const keyScope = `${vault.armId}/keys/${keyName}`;
      const subscriptionId = parseArmResourceId(vault.armId)?.subscriptionId ?? "";
      try {
        const assignments = deps.clients
          .authorizationClient(subscriptionId)
          .roleAssignments.listForScope(vault.armId, { filter: `principalId eq '${principalId}'` });
        for await (const assignment of assignments) {
          const role = KEY_USER_ROLES[roleGuidOf(assignment.roleDefinitionId) ?? ""];
          if (
            role &&
            (assignment.principalId ?? "").toLowerCase() === wanted &&
            covers(assignment.scope, keyScope)
          ) {
            return { canUse: true, through: `${role} at ${assignment.scope ?? vault.armId}` };
          }
        }
      } catch (error) {
        throw fromAzureError(error, {
          dependency: "Azure Resource Manager",
          subject: `role assignments on ${vault.armId}`,
        });
      }
      return {
        canUse: false,
        grantLine: `az role assignment create --assignee-object-id ${principalId} --assignee-principal-type ServicePrincipal --role "${CONSUMER_ROLE_NAME}" --scope ${vault.armId}`,
      };
    },
  };
}
