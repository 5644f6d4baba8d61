// Whether CMK_REVOCATION_SECRET may serve as the webhook's HMAC key, and if not, what to fix.
import { MIN_REVOCATION_SECRET_LENGTH } from "./types";

/**
 * The webhook's HMAC key, or why the setting cannot be one. An unusable secret never stops the app:
 * only the signed revocation doors refuse (503), and GET /api/health names the setting.
 */
export type RevocationSecret = { usable: true; key: string } | { usable: false; problem: string };

/** Fewest distinct characters a random secret of the minimum length plainly has (hex has 16). */
const MIN_DISTINCT_CHARACTERS = 10;

const HOW_TO_FIX =
  "generate one with `openssl rand -hex 32`; in Azure keep it in Key Vault and reference it.";

/**
 * App Service passes the reference text itself when it cannot resolve it (identity without
 * access, role still propagating, wrong vault or secret name), and Core Tools never resolves
 * one: the text is public knowledge, never a key.
 */
function isKeyVaultReference(value: string): boolean {
  return /^@Microsoft\.KeyVault\(/i.test(value);
}

/** A value that repeats a shorter block ("changeme" × 4, "0123456789abcdef" × 2). */
function repeatsABlock(value: string): boolean {
  for (let block = 1; block <= value.length / 2; block++) {
    if (value.length % block === 0 && value.slice(block) === value.slice(0, -block)) return true;
  }
  return false;
}

/** Reads the setting's raw value; the problem never echoes the value. */
export function readRevocationSecret(raw: string | undefined): RevocationSecret {
  const value = raw?.trim() ?? "";
  const unusable = (why: string): RevocationSecret => ({
    usable: false,
    problem: `CMK_REVOCATION_SECRET ${why}: ${HOW_TO_FIX}`,
  });
  if (value === "") return unusable("is not set");
  if (isKeyVaultReference(value)) {
    return unusable(
      "holds an unresolved Key Vault reference (grant the app's identity Key Vault Secrets User on the secret and check its URI; locally put the value itself)",
    );
  }
  if (value.length < MIN_REVOCATION_SECRET_LENGTH) {
    return unusable(`is shorter than ${MIN_REVOCATION_SECRET_LENGTH} characters`);
  }
  if (new Set(value).size < MIN_DISTINCT_CHARACTERS || repeatsABlock(value)) {
    return unusable("is plainly not random (too few distinct characters, or a repeated block)");
  }
  return { usable: true, key: value };
}
