// Wires RBAC between the emulators: Key Vault asks the ARM emulator's role assignments on vaults that enforce RBAC,
// and the principals an admin would have granted (the app, the operator) get Key Vault Crypto Officer there.
import type { ArmEmulator } from "../arm";
import type { KeyVaultEmulator } from "../keyvault";

/** Built-in role: every key operation (rotate, create, disable), what cmk-rotator's identity needs on a vault. */
export const KEY_VAULT_CRYPTO_OFFICER = "14b46e9e-c2b7-41b4-b07b-48a6ebf60603";
/** Built-in role: get, wrapKey, unwrapKey, what a consumer (storage account, enterprise policy) needs. */
export const KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER = "e147488a-f6f5-4113-8e2d-b22465e65bf6";
/** The roles above by the name `az role assignment create --role "<name>"` takes (az looks the id up the same way). */
export const KEY_VAULT_ROLE_IDS: Readonly<Record<string, string>> = {
  "Key Vault Crypto Officer": KEY_VAULT_CRYPTO_OFFICER,
  "Key Vault Crypto Service Encryption User": KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER,
};

export function wireKeyVaultRbac(
  keyVault: KeyVaultEmulator,
  arm: ArmEmulator,
  /** Principals given Crypto Officer on every RBAC vault, besides the app's identity. */
  officerPrincipalIds: string[] = [],
): void {
  for (const vault of arm.vaults()) {
    if (!keyVault.vaults[vault.name]) continue;
    // Always wired: the check answers "allowed" while the vault's ARM properties say RBAC is off.
    keyVault.setRbacCheck(vault.name, arm.keyVaultAuthorizer(vault.name));
    if (!vault.properties.enableRbacAuthorization) continue;
    for (const principalId of [arm.managedIdentity.principalId, ...officerPrincipalIds]) {
      arm.assignRole({ scope: vault.id, roleDefinitionId: KEY_VAULT_CRYPTO_OFFICER, principalId });
    }
  }
}
