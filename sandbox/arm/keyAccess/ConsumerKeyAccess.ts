// How a consumer (storage account, enterprise policy) holds its own data key wrapped by the customer's key.
import { randomBytes } from "node:crypto";
import type { KeyVaultDataPlane, KeyVersionInfo, VaultResult } from "./KeyVaultDataPlane";

/** Which key a consumer is told to use; `version: ""` means "follow the newest version". */
export interface KeyReference {
  vaultUrl: string;
  keyName: string;
  version: string;
}

/** The key version a consumer really uses, with its data key wrapped by that version. */
export interface KeyInUse {
  vaultUrl: string;
  keyName: string;
  version: string;
  kid: string;
  expiresOnSeconds?: number;
  /** The consumer's data key: kept in clear only inside the emulator, to re-wrap it on rotation. */
  dataKey: Buffer;
  wrappedDataKey: Buffer;
}

/** Wraps, re-wraps and checks a consumer's data key through the Key Vault emulator, as the consumer's identity. */
export class ConsumerKeyAccess {
  constructor(private readonly vault: KeyVaultDataPlane) {}

  /** The version a reference points at: the pinned one, or the newest enabled one. */
  async resolveVersion(reference: KeyReference, principalId: string): Promise<VaultResult<KeyVersionInfo>> {
    if (reference.version) {
      return this.vault.getKeyVersion(reference.vaultUrl, reference.keyName, reference.version, principalId);
    }
    const current = await this.vault.getKeyVersion(reference.vaultUrl, reference.keyName, "", principalId);
    if (!current.ok || current.value.enabled) return current;
    // The current version is disabled: fall back to the newest version that is still enabled.
    const versions = await this.vault.listKeyVersions(reference.vaultUrl, reference.keyName, principalId);
    if (!versions.ok) return versions;
    const enabled = versions.value.filter((v) => v.enabled);
    const newest = enabled.reduce<KeyVersionInfo | undefined>(
      (best, v) => (!best || (v.createdSeconds ?? 0) >= (best.createdSeconds ?? 0) ? v : best),
      undefined,
    );
    if (!newest) return current;
    return { ok: true, value: newest };
  }

  /**
   * Wraps `dataKey` (a fresh one when absent) with the referenced version and proves it unwraps again:
   * what a consumer does when it is pointed at a key.
   */
  async protect(
    reference: KeyReference,
    principalId: string,
    dataKey: Buffer = randomBytes(32),
  ): Promise<VaultResult<KeyInUse>> {
    const resolved = await this.resolveVersion(reference, principalId);
    if (!resolved.ok) return resolved;
    const { version, kid, expiresOnSeconds } = resolved.value;
    const wrapped = await this.vault.wrapKey(
      reference.vaultUrl,
      reference.keyName,
      version,
      principalId,
      dataKey,
    );
    if (!wrapped.ok) return wrapped;
    const inUse: KeyInUse = {
      vaultUrl: reference.vaultUrl,
      keyName: reference.keyName,
      version,
      kid,
      expiresOnSeconds,
      dataKey,
      wrappedDataKey: wrapped.value,
    };
    const check = await this.checkUnwrap(inUse, principalId);
    return check.ok ? { ok: true, value: inUse } : check;
  }

  /** Can the consumer unwrap its data key right now? (Every data access depends on this.) */
  async checkUnwrap(inUse: KeyInUse, principalId: string): Promise<VaultResult<true>> {
    const result = await this.vault.unwrapKey(
      inUse.vaultUrl,
      inUse.keyName,
      inUse.version,
      principalId,
      inUse.wrappedDataKey,
    );
    if (!result.ok) return result;
    if (!result.value.equals(inUse.dataKey)) {
      return {
        ok: false,
        status: 502,
        code: "UnwrapMismatch",
        message: "Key Vault unwrapped a different data key.",
      };
    }
    return { ok: true, value: true };
  }
}
