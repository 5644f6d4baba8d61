// Microsoft.KeyVault/vaults as ARM GET returns it (api-version 2023-07-01 shape).
import { VaultResources, KEY_VAULT_TYPE, type VaultResource } from "./VaultResources";

/** The key permissions an access policy grants in the sandbox: everything, since access is taken away in Key Vault itself. */
const ALL_KEY_PERMISSIONS = [
  "get",
  "list",
  "update",
  "create",
  "import",
  "delete",
  "recover",
  "backup",
  "restore",
  "decrypt",
  "encrypt",
  "unwrapKey",
  "wrapKey",
  "verify",
  "sign",
  "release",
  "rotate",
  "getrotationpolicy",
  "setrotationpolicy",
];

/**
 * On a vault using access policies, every principal the emulator knows gets one: the sandbox's rule is that every
 * identity may use every key until access is taken away in the Key Vault emulator.
 */
export function vaultToWire(
  vault: VaultResource,
  tenantId: string,
  knownPrincipalIds: string[],
): Record<string, unknown> {
  const { properties } = vault;
  const accessPolicies = properties.enableRbacAuthorization
    ? []
    : [...new Set(knownPrincipalIds)].map((objectId) => ({
        tenantId,
        objectId,
        permissions: { keys: ALL_KEY_PERMISSIONS, secrets: [], certificates: [] },
      }));
  return {
    id: VaultResources.armId(vault),
    name: vault.name,
    type: KEY_VAULT_TYPE,
    location: vault.location,
    tags: {},
    properties: {
      tenantId,
      sku: { family: "A", name: "premium" },
      accessPolicies,
      vaultUri: `${vault.url.replace(/\/+$/, "")}/`,
      enabledForDeployment: false,
      enabledForDiskEncryption: false,
      enabledForTemplateDeployment: false,
      enableSoftDelete: properties.enableSoftDelete,
      softDeleteRetentionInDays: properties.softDeleteRetentionInDays,
      enableRbacAuthorization: properties.enableRbacAuthorization,
      ...(properties.enablePurgeProtection ? { enablePurgeProtection: true } : {}),
      publicNetworkAccess: "Enabled",
      provisioningState: "Succeeded",
    },
  };
}
