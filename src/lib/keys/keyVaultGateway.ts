// The Key Vault gateway over KeyClient: read keys and versions, create a version exactly once, enable/disable versions.
import type { KeyClient, KeyProperties, KeyVaultKey, KeyOperation } from "@azure/keyvault-keys";
import {
  DomainError,
  describeFailure,
  ensureError,
  fromAzureError,
  isDomainError,
  statusOf,
  type ErrorCode,
} from "../errors";
import type { KeyFenceStore } from "./keyFence";
import { isSameKey } from "./keyId";
import { ROTATION_ID_TAG } from "./tags";
import type {
  CreateVersionOptions,
  CreatedVersion,
  KeyIdentity,
  KeyInfo,
  KeyRotationPolicyInfo,
  KeyType,
  KeyVaultGateway,
  KeyVersionInfo,
} from "./types";

/** Where the gateway gets its KeyClients for a vault (the client factory). */
export interface KeyClientSource {
  keyClient(vaultName: string): KeyClient;
  /** Without the SDK's retries: creates are retried by the gateway, which looks for the version first. */
  keyClientWithoutRetries(vaultName: string): KeyClient;
}

/** Tries at one create, as many as the SDK's own default (three retries). */
const CREATE_TRIES = 4;
/** Backoff between tries when Key Vault gives no Retry-After (its 429 may not): 1, 2, 4 s. */
const CREATE_BACKOFF_MS = 1_000;

const waitMs = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const KEY_TYPES: readonly KeyType[] = ["RSA", "RSA-HSM", "EC", "EC-HSM", "oct", "oct-HSM"];

function toVersionInfo(properties: KeyProperties): KeyVersionInfo {
  if (!properties.version || !properties.id) {
    throw new DomainError(
      "DependencyFailed",
      `Key Vault returned a key version without an id for key ${properties.name}.`,
    );
  }
  return {
    keyId: properties.id,
    version: properties.version,
    enabled: properties.enabled ?? true,
    createdOnMs: properties.createdOn?.getTime() ?? 0,
    ...(properties.updatedOn ? { updatedOnMs: properties.updatedOn.getTime() } : {}),
    ...(properties.notBefore ? { notBeforeMs: properties.notBefore.getTime() } : {}),
    ...(properties.expiresOn ? { expiresOnMs: properties.expiresOn.getTime() } : {}),
    tags: { ...(properties.tags ?? {}) },
  };
}

/** RSA modulus size in bits from the JWK `n` (big-endian, possibly with a leading zero byte). */
function modulusBits(modulus: Uint8Array | undefined): number | undefined {
  if (!modulus || modulus.length === 0) return undefined;
  let start = 0;
  while (start < modulus.length - 1 && modulus[start] === 0) start += 1;
  return (modulus.length - start) * 8;
}

function toKeyInfo(key: KeyIdentity, bundle: KeyVaultKey): KeyInfo {
  const keyType = (bundle.keyType ?? bundle.key?.kty) as KeyType | undefined;
  if (!keyType || !KEY_TYPES.includes(keyType)) {
    throw new DomainError(
      "DependencyFailed",
      `Key Vault returned key ${key.vaultName}/${key.keyName} with unknown type "${String(keyType)}".`,
    );
  }
  const isRsa = keyType === "RSA" || keyType === "RSA-HSM";
  return {
    ...toVersionInfo(bundle.properties),
    key: { vaultName: key.vaultName, keyName: bundle.name || key.keyName },
    keyType,
    ...(isRsa ? { keySize: modulusBits(bundle.key?.n) } : {}),
    ...(bundle.key?.crv ? { curveName: bundle.key.crv } : {}),
    keyOps: [...(bundle.keyOperations ?? bundle.key?.keyOps ?? [])],
  };
}

function newestFirst(a: KeyVersionInfo, b: KeyVersionInfo): number {
  return b.createdOnMs - a.createdOnMs || b.version.localeCompare(a.version);
}

export interface KeyVaultGatewayOptions {
  /** Revocation fences: when given, creating or re-enabling a version of a fenced key is refused. */
  fences?: Pick<KeyFenceStore, "get">;
}

/**
 * Maps a Key Vault failure to a domain error. Key Vault answers 403 with "Operation … is not allowed on a
 * disabled key" when the version is disabled: that is the key's state (KeyDisabled), not a missing role.
 */
export function keyVaultFailure(
  error: unknown,
  key: KeyIdentity,
  notFoundCode: ErrorCode = "KeyNotFound",
  version?: string,
): DomainError {
  const subject = `key ${key.vaultName}/${key.keyName}${version ? ` version ${version}` : ""}`;
  if (statusOf(error) === 403 && /disabled/i.test(ensureError(error).message)) {
    return new DomainError(
      "KeyDisabled",
      `Key Vault refuses to use ${subject}: it is disabled (revoked or retired).`,
    );
  }
  return fromAzureError(error, { dependency: "Key Vault", subject, notFoundCode });
}

/** Builds the gateway; every failure is mapped to a domain error naming the key. */
export function createKeyVaultGateway(
  clients: KeyClientSource,
  gatewayOptions: KeyVaultGatewayOptions = {},
): KeyVaultGateway {
  /** Throws KeyRevoked when a revocation (other than `allowedRevocationId`) holds the key. */
  const assertNotFenced = async (
    key: KeyIdentity,
    action: string,
    allowedRevocationId?: string,
  ): Promise<void> => {
    const fence = await gatewayOptions.fences?.get(key);
    if (fence && fence.revocationId !== allowedRevocationId) {
      throw new DomainError(
        "KeyRevoked",
        `Key ${key.vaultName}/${key.keyName} is revoked by ${fence.revocationId}; refusing to ${action}. Restore it first.`,
        {
          details: { revocationId: fence.revocationId },
        },
      );
    }
  };

  const fail = (
    key: KeyIdentity,
    error: unknown,
    notFoundCode: ErrorCode = "KeyNotFound",
    version?: string,
  ) => keyVaultFailure(error, key, notFoundCode, version);

  const getKeyVersion = async (key: KeyIdentity, version?: string): Promise<KeyInfo> => {
    try {
      const bundle = await clients.keyClient(key.vaultName).getKey(key.keyName, version ? { version } : {});
      return toKeyInfo(key, bundle);
    } catch (error) {
      throw fail(key, error, version ? "KeyVersionNotFound" : "KeyNotFound", version);
    }
  };

  const listUnordered = async (key: KeyIdentity): Promise<KeyVersionInfo[]> => {
    const versions: KeyVersionInfo[] = [];
    try {
      for await (const properties of clients
        .keyClient(key.vaultName)
        .listPropertiesOfKeyVersions(key.keyName)) {
        versions.push(toVersionInfo(properties));
      }
    } catch (error) {
      throw fail(key, error);
    }
    if (versions.length === 0) {
      throw new DomainError("KeyNotFound", `Key ${key.vaultName}/${key.keyName} was not found in Key Vault.`);
    }
    return versions;
  };

  const listKeyNames = async (vaultName: string): Promise<string[]> => {
    const names: string[] = [];
    try {
      for await (const properties of clients.keyClient(vaultName).listPropertiesOfKeys())
        names.push(properties.name);
    } catch (error) {
      throw fromAzureError(error, { dependency: "Key Vault", subject: `keys of vault ${vaultName}` });
    }
    return names.sort();
  };

  /**
   * Newest created first. Key Vault stamps `created` in whole seconds, so versions made within one
   * second tie: the key's current version (what Key Vault itself calls newest) goes first among them.
   */
  const listVersions = async (key: KeyIdentity): Promise<KeyVersionInfo[]> => {
    // The current version is only a tie-break: a disabled (e.g. revoked) current version cannot be read.
    const [versions, current] = await Promise.all([
      listUnordered(key),
      getKeyVersion(key).catch((error: unknown) => {
        if (isDomainError(error, "KeyDisabled")) return undefined;
        throw error;
      }),
    ]);
    const rank = (version: KeyVersionInfo) => (version.version === current?.version ? 0 : 1);
    return versions.sort((a, b) => b.createdOnMs - a.createdOnMs || rank(a) - rank(b) || newestFirst(a, b));
  };

  const findVersionByTag = async (
    key: KeyIdentity,
    rotationId: string,
  ): Promise<KeyVersionInfo | undefined> => {
    const tagged = (await listUnordered(key)).filter(
      (version) => version.tags[ROTATION_ID_TAG] === rotationId,
    );
    // Oldest first: should two ever exist, every caller settles on the same one.
    return tagged.sort((a, b) => -newestFirst(a, b))[0];
  };

  return {
    /** Needs keys/get (Key Vault Crypto User or Key Vault Reader). */
    getKey: (key) => getKeyVersion(key),
    /** Needs keys/get. */
    getKeyVersion: (key, version) => getKeyVersion(key, version),
    /** Needs keys/list (Key Vault Reader). */
    listVersions,
    listKeyNames,
    /** Needs keys/list. */
    listVersionsUnordered: listUnordered,
    /** Needs keys/list. */
    findVersionByTag,

    /**
     * Data actions `Microsoft.KeyVault/vaults/keys/read` and `keys/create/action` (the key rotator
     * role). Looks for the rotation's tag first, so a re-run activity or a replay returns the version
     * it already made. The orchestration's per-key singleton keeps two callers with the same id from
     * racing. A create is not idempotent and a failed answer does not mean nothing was made (a gateway
     * may give up on a create the vault committed), so it is never retried blindly as the SDK would:
     * after a throttled or failed try it waits (Retry-After, else 1, 2, 4 s) and looks for the tag again.
     */
    async createVersionOnce(
      key: KeyIdentity,
      rotationId: string,
      options: CreateVersionOptions = {},
    ): Promise<CreatedVersion> {
      // One round of independent reads, in parallel: an earlier attempt's version, the template, the fence.
      const [existing, current] = await Promise.all([
        findVersionByTag(key, rotationId),
        options.template && isSameKey(options.template.key, key)
          ? Promise.resolve(options.template)
          : getKeyVersion(key),
        assertNotFenced(key, "create a new version"),
      ]);
      if (existing) return { version: await getKeyVersion(key, existing.version), wasCreated: false };
      const tags = { ...current.tags, ...(options.tags ?? {}), [ROTATION_ID_TAG]: rotationId };
      for (let tries = 1; ; tries++) {
        try {
          const created = await clients
            .keyClientWithoutRetries(key.vaultName)
            .createKey(current.key.keyName, current.keyType, {
              ...(current.keySize === undefined ? {} : { keySize: current.keySize }),
              ...(current.curveName === undefined ? {} : { curve: current.curveName }),
              keyOps: [...current.keyOps] as KeyOperation[],
              ...(options.expiresOnMs === undefined ? {} : { expiresOn: new Date(options.expiresOnMs) }),
              tags,
            });
          return { version: toKeyInfo(key, created), wasCreated: true };
        } catch (error) {
          const failure = fail(key, error);
          const { isRetryable, retryAfterMs } = describeFailure(failure);
          if (!isRetryable || tries >= CREATE_TRIES) throw failure;
          await waitMs(retryAfterMs ?? CREATE_BACKOFF_MS * 2 ** (tries - 1));
        }
        // The failed try may have made the version before its answer was lost.
        const made = await findVersionByTag(key, rotationId);
        if (made) return { version: await getKeyVersion(key, made.version), wasCreated: true };
      }
    },

    /** Data action `Microsoft.KeyVault/vaults/keys/update/action` (the key rotator role); never deletes. */
    async setVersionEnabled(
      key: KeyIdentity,
      version: string,
      enabled: boolean,
      setOptions: { revocationId?: string } = {},
    ): Promise<KeyVersionInfo> {
      if (enabled) await assertNotFenced(key, `re-enable version ${version}`, setOptions.revocationId);
      try {
        const updated = await clients
          .keyClient(key.vaultName)
          .updateKeyProperties(key.keyName, version, { enabled });
        return toVersionInfo(updated.properties);
      } catch (error) {
        throw fail(key, error, "KeyVersionNotFound", version);
      }
    },

    /** Data action `Microsoft.KeyVault/vaults/keys/rotationpolicy/read` (the key rotator role). */
    async getRotationPolicy(key: KeyIdentity): Promise<KeyRotationPolicyInfo | undefined> {
      try {
        const policy = await clients.keyClient(key.vaultName).getKeyRotationPolicy(key.keyName);
        return {
          ...(policy.expiresIn ? { expiresAfter: policy.expiresIn } : {}),
          lifetimeActions: (policy.lifetimeActions ?? []).map((action) => ({
            action: action.action,
            ...(action.timeAfterCreate ? { timeAfterCreate: action.timeAfterCreate } : {}),
            ...(action.timeBeforeExpiry ? { timeBeforeExpiry: action.timeBeforeExpiry } : {}),
          })),
        };
      } catch (error) {
        // A 404 whose code is not KeyNotFound means the key exists but has no policy.
        if (statusOf(error) === 404 && (error as { code?: unknown }).code !== "KeyNotFound") return undefined;
        throw fail(key, error);
      }
    },
  };
}
