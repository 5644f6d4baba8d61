// The Resource Graph queries that find what uses a key, and the exact check of each row they return (no I/O).
import type { ConsumerKind, ConsumerReference } from "../consumers/types";
import { versionOfKeyId } from "../keys/keyId";
import { sameVaultOrigin } from "../consumers/referenceUsesKey";

/** Which key (or, without keyName, which vault's keys) a query looks for. */
export interface KeyFilter {
  vaultName: string;
  /** The vault's origin as allow-listed, e.g. https://kv1.vault.azure.net. */
  vaultUrl: string;
  keyName?: string;
}

/** A KQL string literal: single-quoted, backslash and quote escaped. */
function literal(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

const PROJECTION = "| project id, name, type, subscriptionId, resourceGroup, properties\n| order by id asc";

/**
 * Storage accounts whose CMK points at the vault (and key). `contains` on the lower-cased vault URI
 * covers a trailing slash or none; `rowUsesKey` then checks the origin exactly.
 */
export function storageAccountQuery(filter: KeyFilter): string {
  return [
    "resources",
    "| where type =~ 'microsoft.storage/storageaccounts'",
    "| where tostring(properties.encryption.keySource) =~ 'Microsoft.Keyvault'",
    `| where tolower(tostring(properties.encryption.keyvaultproperties.keyvaulturi)) contains ${literal(filter.vaultUrl.toLowerCase())}`,
    ...(filter.keyName
      ? [`| where tostring(properties.encryption.keyvaultproperties.keyname) =~ ${literal(filter.keyName)}`]
      : []),
    PROJECTION,
  ].join("\n");
}

/** Power Platform enterprise policies whose keyVault.id names the vault (and keyVault.key.name the key). */
export function enterprisePolicyQuery(filter: KeyFilter): string {
  return [
    "resources",
    "| where type =~ 'microsoft.powerplatform/enterprisepolicies'",
    `| where tolower(tostring(properties.encryption.keyVault.id)) contains ${literal(`/providers/microsoft.keyvault/vaults/${filter.vaultName.toLowerCase()}`)}`,
    ...(filter.keyName
      ? [`| where tostring(properties.encryption.keyVault.key.name) =~ ${literal(filter.keyName)}`]
      : []),
    PROJECTION,
  ].join("\n");
}

export const QUERY_OF_KIND: Record<ConsumerKind, (filter: KeyFilter) => string> = {
  storageAccount: storageAccountQuery,
  powerPlatformPolicy: enterprisePolicyQuery,
};

/** A vault to search, without a key: every key of it. */
export type VaultFilter = Omit<KeyFilter, "keyName">;

/** Storage accounts whose CMK points at any of the vaults: one query (and its pages) for a whole sweep. */
export function storageAccountsOfVaultsQuery(vaults: readonly VaultFilter[]): string {
  const anyVault = vaults
    .map(
      (vault) =>
        `tolower(tostring(properties.encryption.keyvaultproperties.keyvaulturi)) contains ${literal(vault.vaultUrl.toLowerCase())}`,
    )
    .join(" or ");
  return [
    "resources",
    "| where type =~ 'microsoft.storage/storageaccounts'",
    "| where tostring(properties.encryption.keySource) =~ 'Microsoft.Keyvault'",
    `| where ${anyVault}`,
    PROJECTION,
  ].join("\n");
}

/** Enterprise policies whose keyVault.id names any of the vaults. */
export function enterprisePoliciesOfVaultsQuery(vaults: readonly VaultFilter[]): string {
  const anyVault = vaults
    .map(
      (vault) =>
        `tolower(tostring(properties.encryption.keyVault.id)) contains ${literal(`/providers/microsoft.keyvault/vaults/${vault.vaultName.toLowerCase()}`)}`,
    )
    .join(" or ");
  return [
    "resources",
    "| where type =~ 'microsoft.powerplatform/enterprisepolicies'",
    `| where ${anyVault}`,
    PROJECTION,
  ].join("\n");
}

export const VAULTS_QUERY_OF_KIND: Record<ConsumerKind, (vaults: readonly VaultFilter[]) => string> = {
  storageAccount: storageAccountsOfVaultsQuery,
  powerPlatformPolicy: enterprisePoliciesOfVaultsQuery,
};

/** The key a Resource Graph row points at, when it points at the filter's vault (and key); else undefined. */
export function keyNameOfRow(kind: ConsumerKind, row: unknown, filter: KeyFilter): string | undefined {
  const properties = (row as { properties?: Record<string, unknown> } | null)?.properties;
  const encryption = properties?.encryption as Record<string, unknown> | undefined;
  const text = (value: unknown) => (typeof value === "string" ? value : "");
  let keyName: unknown;
  let inVault: boolean;
  if (kind === "storageAccount") {
    const vaultProperties = encryption?.keyvaultproperties as Record<string, unknown> | undefined;
    keyName = vaultProperties?.keyname;
    inVault = sameVaultOrigin(text(vaultProperties?.keyvaulturi), filter.vaultUrl);
  } else {
    const keyVault = encryption?.keyVault as { id?: unknown; key?: { name?: unknown } } | undefined;
    keyName = keyVault?.key?.name;
    inVault = text(keyVault?.id).split("/").pop()?.toLowerCase() === filter.vaultName.toLowerCase();
  }
  if (!inVault || typeof keyName !== "string" || keyName.length === 0) return undefined;
  if (filter.keyName && keyName.toLowerCase() !== filter.keyName.toLowerCase()) return undefined;
  return keyName;
}

/** What a Resource Graph row says the resource is configured with (the same fields an ARM GET reads). */
export function referenceOfRow(kind: ConsumerKind, row: unknown, keyName: string): ConsumerReference {
  const properties = (row as { properties?: Record<string, unknown> } | null)?.properties;
  const encryption = properties?.encryption as Record<string, unknown> | undefined;
  const text = (value: unknown) => (typeof value === "string" && value.length > 0 ? value : undefined);
  if (kind === "storageAccount") {
    const vaultProperties = encryption?.keyvaultproperties as Record<string, unknown> | undefined;
    const configuredVersion = text(vaultProperties?.keyversion);
    const versionInUse = versionOfKeyId(text(vaultProperties?.currentVersionedKeyIdentifier));
    return {
      keyName,
      ...(text(vaultProperties?.keyvaulturi) ? { vaultUrl: text(vaultProperties?.keyvaulturi) } : {}),
      ...(configuredVersion ? { configuredVersion } : {}),
      ...(versionInUse ? { versionInUse } : {}),
    };
  }
  const keyVault = encryption?.keyVault as { id?: unknown; key?: { version?: unknown } } | undefined;
  const vaultName = text(keyVault?.id)?.split("/").pop();
  const configuredVersion = text(keyVault?.key?.version);
  return {
    keyName,
    ...(vaultName ? { vaultName } : {}),
    ...(configuredVersion ? { configuredVersion } : {}),
  };
}
