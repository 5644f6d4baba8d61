// Public types of the keys concept: key identity, key and version facts, the Key Vault gateway.

/** A key, independent of its versions. Names are as the allow-list and Key Vault spell them. */
export interface KeyIdentity {
  vaultName: string;
  keyName: string;
}

/** A parsed Key Vault key id (`<vaultUrl>/keys/<name>[/<version>]`) checked against the allow-list. */
export interface ParsedKeyId extends KeyIdentity {
  /** The allow-listed origin of the vault, no trailing slash. */
  vaultUrl: string;
  /** Present when the id names a version. */
  version?: string;
}

/** Facts about one key version, converted from the SDK (times in epoch ms, never Date). */
export interface KeyVersionInfo {
  /** Full versioned key id (`kid`). */
  keyId: string;
  version: string;
  enabled: boolean;
  createdOnMs: number;
  updatedOnMs?: number;
  notBeforeMs?: number;
  expiresOnMs?: number;
  tags: Readonly<Record<string, string>>;
}

/** JSON Web Key types Key Vault holds. */
export type KeyType = "RSA" | "RSA-HSM" | "EC" | "EC-HSM" | "oct" | "oct-HSM";

/** A key's current (or a given) version with the material facts a new version must copy. */
export interface KeyInfo extends KeyVersionInfo {
  key: KeyIdentity;
  keyType: KeyType;
  /** RSA modulus size in bits; undefined for EC/oct keys. */
  keySize?: number;
  /** EC curve name; undefined for RSA. */
  curveName?: string;
  keyOps: readonly string[];
}

/** Options of an exactly-once version creation. */
export interface CreateVersionOptions {
  /** Expiry of the new version (epoch ms), e.g. now + policy.expiresAfter; undefined = no exp. */
  expiresOnMs?: number;
  /** Other tags to put on the new version besides the rotation id tag. */
  tags?: Readonly<Record<string, string>>;
  /** The key's current version as already read (saves a read): type, size, operations and tags are copied from it. */
  template?: KeyInfo;
}

export interface CreatedVersion {
  version: KeyInfo;
  /** False when a version tagged with this rotation id already existed (a re-run or replay). */
  wasCreated: boolean;
}

/** A rotation policy as Key Vault stores it (ISO-8601 durations). */
export interface KeyRotationPolicyInfo {
  expiresAfter?: string;
  lifetimeActions: ReadonlyArray<{
    action: "Rotate" | "Notify";
    timeAfterCreate?: string;
    timeBeforeExpiry?: string;
  }>;
}

/**
 * Everything the app does to Key Vault. Every method maps SDK failures to domain errors
 * (KeyNotFound, KeyVersionNotFound, DependencyForbidden, ThrottledError...), and names the
 * Key Vault RBAC data actions it needs: the deployment's custom key role grants exactly those.
 */
export interface KeyVaultGateway {
  /** Current version of the key with its type, size and operations. Data action: `Microsoft.KeyVault/vaults/keys/read` (keys/get). */
  getKey(key: KeyIdentity): Promise<KeyInfo>;
  /** A given version. Data action: `Microsoft.KeyVault/vaults/keys/read` (keys/get). */
  getKeyVersion(key: KeyIdentity, version: string): Promise<KeyInfo>;
  /** Every version, newest created first. Data action: `Microsoft.KeyVault/vaults/keys/read` (keys/list, and keys/get to break ties). */
  listVersions(key: KeyIdentity): Promise<KeyVersionInfo[]>;
  /**
   * Every version in listing order, from keys/list alone: works while every version is disabled (Key Vault
   * refuses to GET a disabled version). KeyNotFound when the key has no version. Data action: `Microsoft.KeyVault/vaults/keys/read` (keys/list).
   */
  listVersionsUnordered(key: KeyIdentity): Promise<KeyVersionInfo[]>;
  /** The names of every key in an allow-listed vault. Data action: `Microsoft.KeyVault/vaults/keys/read` (keys/list). */
  listKeyNames(vaultName: string): Promise<string[]>;
  /** The version tagged with this rotation id, if any. Data action: `Microsoft.KeyVault/vaults/keys/read` (keys/list). */
  findVersionByTag(key: KeyIdentity, rotationId: string): Promise<KeyVersionInfo | undefined>;
  /**
   * Creates a new version with the current version's type, size and operations, tagged with the
   * rotation id, unless a version with that tag already exists: safe to call again after a crash
   * or replay. Refused with KeyRevoked while a revocation fence is up.
   * Data actions: `Microsoft.KeyVault/vaults/keys/read` (keys/get, keys/list) and `Microsoft.KeyVault/vaults/keys/create/action` (keys/create).
   */
  createVersionOnce(
    key: KeyIdentity,
    rotationId: string,
    options?: CreateVersionOptions,
  ): Promise<CreatedVersion>;
  /**
   * Enables or disables one version (retirement, revocation, restore). Re-enabling a key under a
   * revocation fence is refused (KeyRevoked) unless `revocationId` names that fence (restore).
   * Data action: `Microsoft.KeyVault/vaults/keys/update/action` (keys/update).
   */
  setVersionEnabled(
    key: KeyIdentity,
    version: string,
    enabled: boolean,
    options?: { revocationId?: string },
  ): Promise<KeyVersionInfo>;
  /** The key's rotation policy, undefined when none is set. Data action: `Microsoft.KeyVault/vaults/keys/rotationpolicy/read` (keys/getrotationpolicy). */
  getRotationPolicy(key: KeyIdentity): Promise<KeyRotationPolicyInfo | undefined>;
}
