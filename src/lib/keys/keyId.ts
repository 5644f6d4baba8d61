// Key identity against the vault allow-list: parse key ids (anti-spoofing) and build them back.
import { parseKeyVaultKeyIdentifier, type KeyVaultKeyIdentifier } from "@azure/keyvault-keys";
import { DomainError } from "../errors";
import type { AllowedVault, Settings } from "../settings";
import type { KeyIdentity, ParsedKeyId } from "./types";

/** Key Vault key names: 1-127 letters, digits and hyphens. */
export const KEY_NAME_PATTERN = /^[0-9a-zA-Z-]{1,127}$/;
/** Key versions: Key Vault uses 32 hex digits; emulators may use other letters and digits. */
export const KEY_VERSION_PATTERN = /^[0-9a-zA-Z-]{1,64}$/;

export interface ParseKeyIdOptions {
  /** "required": the id must not name a version (rotation requests); "optional" (default): either. */
  versionless?: "required" | "optional";
  /** The vault name the id claims to come from (an event's VaultName): its allow-listed origin must match. */
  vaultName?: string;
}

/** The allow-listed vaults: the only vaults whose keys the service reads or changes. */
export class VaultAllowList {
  private readonly byName = new Map<string, AllowedVault>();
  private readonly byOrigin = new Map<string, AllowedVault>();

  constructor(vaults: readonly AllowedVault[]) {
    for (const vault of vaults) {
      this.byName.set(vault.name.toLowerCase(), vault);
      this.byOrigin.set(vault.url.toLowerCase(), vault);
    }
  }

  static fromSettings(settings: Pick<Settings, "allowedVaults">): VaultAllowList {
    return new VaultAllowList(settings.allowedVaults);
  }

  /** Allow-listed vault names as configured. */
  names(): string[] {
    return [...this.byName.values()].map((vault) => vault.name);
  }

  /** The allow-list entry of a vault name (case-insensitive), or undefined. */
  find(vaultName: string): AllowedVault | undefined {
    return this.byName.get(vaultName.trim().toLowerCase());
  }

  /** The vault's URL; throws UnknownVault when it is not allow-listed. */
  urlOf(vaultName: string): string {
    return this.require(vaultName).url;
  }

  /**
   * Validates a vault name and key name (e.g. from a route) into a KeyIdentity with the vault's
   * configured spelling. Throws UnknownVault or InvalidKeyId.
   */
  identity(vaultName: string, keyName: string): KeyIdentity {
    const vault = this.require(vaultName);
    const name = keyName.trim();
    if (!KEY_NAME_PATTERN.test(name)) {
      throw new DomainError(
        "InvalidKeyId",
        `"${keyName}" is not a Key Vault key name (1-127 letters, digits and hyphens).`,
      );
    }
    return { vaultName: vault.name, keyName: name };
  }

  /**
   * Parses `<vaultUrl>/keys/<name>[/<version>]`. The id's origin must equal the allow-listed URL of
   * its vault (host compared case-insensitively): an id that names an allow-listed vault but points
   * elsewhere is refused with KeyIdOriginMismatch, so a caller cannot steer the service to a
   * look-alike vault. Throws InvalidKeyId, UnknownVault or KeyIdOriginMismatch.
   */
  parseKeyId(keyId: unknown, options: ParseKeyIdOptions = {}): ParsedKeyId {
    if (typeof keyId !== "string" || keyId.trim() === "") {
      throw new DomainError(
        "InvalidKeyId",
        "keyId must be a string like https://<vault>.vault.azure.net/keys/<name>.",
      );
    }
    let url: URL;
    try {
      url = new URL(keyId.trim());
    } catch {
      throw new DomainError(
        "InvalidKeyId",
        `keyId "${keyId}" is not a URL; expected https://<vault>.vault.azure.net/keys/<name>.`,
      );
    }
    if (url.protocol !== "https:" || url.username || url.password || url.search || url.hash) {
      throw new DomainError(
        "InvalidKeyId",
        `keyId "${keyId}" must be a plain https URL without credentials, query or fragment.`,
      );
    }
    const identifier = keysIdentifierOf(keyId.trim());
    if (!identifier) {
      throw new DomainError(
        "InvalidKeyId",
        `keyId "${keyId}" must look like <vaultUrl>/keys/<name> or <vaultUrl>/keys/<name>/<version>.`,
      );
    }
    const keyName = identifier.name;
    // The SDK reads a trailing slash as an empty version: that id is versionless.
    const version = identifier.version ? identifier.version : undefined;
    if (!KEY_NAME_PATTERN.test(keyName)) {
      throw new DomainError(
        "InvalidKeyId",
        `keyId "${keyId}" has "${keyName}", which is not a key name (1-127 letters, digits, hyphens).`,
      );
    }
    if (version !== undefined && !KEY_VERSION_PATTERN.test(version)) {
      throw new DomainError("InvalidKeyId", `keyId "${keyId}" has "${version}", which is not a key version.`);
    }
    if (version !== undefined && options.versionless === "required") {
      throw new DomainError(
        "InvalidKeyId",
        `keyId "${keyId}" names a version; give the versionless id <vaultUrl>/keys/${keyName}.`,
      );
    }
    const vault = this.vaultOf(url, options.vaultName, keyId);
    return {
      vaultName: vault.name,
      keyName,
      vaultUrl: vault.url,
      ...(version === undefined ? {} : { version }),
    };
  }

  /** `<vaultUrl>/keys/<name>[/<version>]` for a key of an allow-listed vault. */
  keyIdOf(key: KeyIdentity, version?: string): string {
    const base = `${this.urlOf(key.vaultName)}/keys/${key.keyName}`;
    return version === undefined ? base : `${base}/${version}`;
  }

  private require(vaultName: string): AllowedVault {
    const vault = this.find(vaultName);
    if (!vault) {
      throw new DomainError(
        "UnknownVault",
        `Vault "${vaultName}" is not in CMK_ALLOWED_VAULTS; add it there to let the service manage its keys.`,
      );
    }
    return vault;
  }

  private vaultOf(url: URL, claimedVaultName: string | undefined, keyId: string): AllowedVault {
    const origin = url.origin.toLowerCase();
    if (claimedVaultName !== undefined) {
      const claimed = this.require(claimedVaultName);
      if (claimed.url.toLowerCase() !== origin) {
        throw new DomainError(
          "KeyIdOriginMismatch",
          `keyId "${keyId}" does not come from ${claimed.url}, the allow-listed URL of vault "${claimed.name}".`,
        );
      }
      return claimed;
    }
    const byOrigin = this.byOrigin.get(origin);
    if (byOrigin) return byOrigin;
    // A host whose first label is an allow-listed vault name but whose origin differs is a look-alike.
    const firstLabel = url.hostname.split(".")[0];
    const lookAlike = this.find(firstLabel);
    if (lookAlike) {
      throw new DomainError(
        "KeyIdOriginMismatch",
        `keyId "${keyId}" does not come from ${lookAlike.url}, the allow-listed URL of vault "${lookAlike.name}".`,
      );
    }
    throw new DomainError("UnknownVault", `keyId "${keyId}" is not in a vault listed in CMK_ALLOWED_VAULTS.`);
  }
}

/**
 * The SDK's split of a key id into vault URL, name and version, only for ids in the `keys`
 * collection (the SDK itself accepts any collection); undefined when it is not one.
 */
function keysIdentifierOf(keyId: string): KeyVaultKeyIdentifier | undefined {
  let identifier: KeyVaultKeyIdentifier;
  try {
    identifier = parseKeyVaultKeyIdentifier(keyId);
  } catch {
    return undefined;
  }
  const collection = new URL(identifier.sourceId).pathname.split("/")[1];
  return collection?.toLowerCase() === "keys" ? identifier : undefined;
}

/** The version a versioned key id names (`…/keys/{name}/{version}`); undefined for any other text. */
export function versionOfKeyId(keyId: string | undefined): string | undefined {
  if (!keyId) return undefined;
  return keysIdentifierOf(keyId.trim())?.version || undefined;
}

/** `vault/key` in lower case: how logs, table keys and instance ids name a key (names are case-insensitive). */
export function keyPathOf(key: KeyIdentity): string {
  return `${key.vaultName.toLowerCase()}/${key.keyName.toLowerCase()}`;
}

/** True when both identities name the same key (Key Vault names are case-insensitive). */
export function isSameKey(a: KeyIdentity, b: KeyIdentity): boolean {
  return keyPathOf(a) === keyPathOf(b);
}
