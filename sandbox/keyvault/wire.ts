// Key Vault's JSON shapes (key bundle, key item, deleted key, rotation policy) built from the store's records.
import type { KeyRecord, KeyVersionRecord, RotationPolicyRecord } from "./KeyStore";

const RECOVERY_LEVEL = "Recoverable+Purgeable";
const RECOVERABLE_DAYS = 90;

export function keyId(vaultUrl: string, name: string, version?: string): string {
  return version ? `${vaultUrl}/keys/${name}/${version}` : `${vaultUrl}/keys/${name}`;
}

function attributes(record: KeyVersionRecord): Record<string, unknown> {
  return {
    enabled: record.enabled,
    ...(record.nbf !== undefined ? { nbf: record.nbf } : {}),
    ...(record.exp !== undefined ? { exp: record.exp } : {}),
    created: record.created,
    updated: record.updated,
    recoveryLevel: RECOVERY_LEVEL,
    recoverableDays: RECOVERABLE_DAYS,
    exportable: false,
  };
}

/** KeyBundle: `key` (JWK with kid), `attributes` in Unix seconds, `tags` beside them. */
export function keyBundle(vaultUrl: string, record: KeyVersionRecord): Record<string, unknown> {
  return {
    key: {
      kid: keyId(vaultUrl, record.name, record.version),
      kty: record.kty,
      key_ops: record.keyOps,
      ...record.material.publicJwk,
    },
    attributes: attributes(record),
    ...(record.tags ? { tags: record.tags } : {}),
  };
}

/** KeyItem in list results: versionless kid for list keys, versioned for list versions. */
export function keyItem(
  vaultUrl: string,
  record: KeyVersionRecord,
  isVersioned: boolean,
): Record<string, unknown> {
  return {
    kid: keyId(vaultUrl, record.name, isVersioned ? record.version : undefined),
    attributes: attributes(record),
    ...(record.tags ? { tags: record.tags } : {}),
  };
}

function deletedParts(vaultUrl: string, key: KeyRecord): Record<string, unknown> {
  return {
    recoveryId: `${vaultUrl}/deletedkeys/${key.name}`,
    deletedDate: key.deleted?.deletedDate,
    scheduledPurgeDate: key.deleted?.scheduledPurgeDate,
  };
}

export function deletedKeyBundle(vaultUrl: string, key: KeyRecord): Record<string, unknown> {
  const latest = key.versions[key.versions.length - 1];
  return { ...deletedParts(vaultUrl, key), ...keyBundle(vaultUrl, latest) };
}

export function deletedKeyItem(vaultUrl: string, key: KeyRecord): Record<string, unknown> {
  const latest = key.versions[key.versions.length - 1];
  return { ...deletedParts(vaultUrl, key), ...keyItem(vaultUrl, latest, false) };
}

/** The policy Key Vault reports for a key that never had one set: notify 30 days before expiry. */
export const DEFAULT_LIFETIME_ACTIONS = [
  { trigger: { timeBeforeExpiry: "P30D" }, action: { type: "Notify" } },
];

export function rotationPolicy(
  vaultUrl: string,
  name: string,
  policy: RotationPolicyRecord | undefined,
): Record<string, unknown> {
  const id = `${vaultUrl}/keys/${name}/rotationpolicy`;
  if (!policy) return { id, lifetimeActions: DEFAULT_LIFETIME_ACTIONS, attributes: {} };
  return {
    id,
    lifetimeActions: policy.lifetimeActions,
    attributes: {
      ...(policy.expiryTime ? { expiryTime: policy.expiryTime } : {}),
      created: policy.created,
      updated: policy.updated,
    },
  };
}
