// Lists a key's versions and whether each is enabled, without reading the key itself (works while every version is disabled).
import { DomainError, fromAzureError } from "../errors";
import { keyPathOf, type KeyClientSource, type KeyIdentity } from "../keys";

export interface VersionState {
  version: string;
  enabled: boolean;
}

/**
 * Revocation lists versions after it disabled them all. Key Vault refuses GET on a disabled key
 * (as it does for disabled secrets: 403 "Operation get is not allowed"), so this lists only
 * (`keys/list`), unlike KeyVaultGateway.listVersions, which also GETs the current version to break
 * ordering ties. Order does not matter here. KeyNotFound when the key has no version.
 * Needs keys/list (Key Vault Reader).
 */
export async function listVersionStates(clients: KeyClientSource, key: KeyIdentity): Promise<VersionState[]> {
  const states: VersionState[] = [];
  try {
    for await (const properties of clients
      .keyClient(key.vaultName)
      .listPropertiesOfKeyVersions(key.keyName)) {
      if (properties.version)
        states.push({ version: properties.version, enabled: properties.enabled ?? true });
    }
  } catch (error) {
    throw fromAzureError(error, {
      dependency: "Key Vault",
      subject: `key ${keyPathOf(key)}`,
      notFoundCode: "KeyNotFound",
    });
  }
  if (states.length === 0) {
    throw new DomainError("KeyNotFound", `Key ${keyPathOf(key)} was not found in Key Vault.`);
  }
  return states;
}
