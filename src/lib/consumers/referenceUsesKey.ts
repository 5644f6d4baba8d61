// Whether a consumer's configuration points at a key: one comparison for discovery, retirement and the consumers route.
import type { ConsumerReference } from "./types";
import type { KeyIdentity } from "../keys/types";

/** Same vault origin, whatever the case or a trailing slash or path. */
export function sameVaultOrigin(candidate: string | undefined, vaultUrl: string): boolean {
  if (!candidate) return false;
  try {
    return new URL(candidate).origin.toLowerCase() === new URL(vaultUrl).origin.toLowerCase();
  } catch {
    return false;
  }
}

/** True when the reference names the key's vault (by URL for storage, by name for Power Platform) and its name. */
export function referenceUsesKey(reference: ConsumerReference, key: KeyIdentity, vaultUrl: string): boolean {
  if (reference.keyName.toLowerCase() !== key.keyName.toLowerCase()) return false;
  if (reference.vaultUrl !== undefined) return sameVaultOrigin(reference.vaultUrl, vaultUrl);
  return reference.vaultName?.toLowerCase() === key.vaultName.toLowerCase();
}
