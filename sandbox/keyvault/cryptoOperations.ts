// wrapKey/unwrapKey/encrypt/decrypt with real RSA-OAEP and RSA-OAEP-256, refusing unusable versions like Key Vault.
import { constants, privateDecrypt, publicEncrypt } from "node:crypto";
import { KeyVaultError, badParameter, keyDisabled } from "./errors";
import type { KeyVersionRecord } from "./KeyStore";

export type CryptoOperation = "wrapKey" | "unwrapKey" | "encrypt" | "decrypt";

const OAEP_HASH: Record<string, string> = { "RSA-OAEP": "sha1", "RSA-OAEP-256": "sha256" };

/** 403 when the version is disabled, not yet valid, expired or lacks the operation in key_ops. */
export function assertUsable(record: KeyVersionRecord, operation: CryptoOperation, nowSeconds: number): void {
  if (!record.enabled) throw keyDisabled(operation);
  if (record.nbf !== undefined && nowSeconds < record.nbf) {
    throw new KeyVaultError(
      403,
      "Forbidden",
      `Operation ${operation} is not allowed on a not yet valid key.`,
      "KeyNotYetValid",
    );
  }
  if (record.exp !== undefined && nowSeconds >= record.exp) {
    throw new KeyVaultError(
      403,
      "Forbidden",
      `Operation ${operation} is not allowed on an expired key.`,
      "KeyExpired",
    );
  }
  if (!record.keyOps.includes(operation)) {
    throw new KeyVaultError(
      403,
      "Forbidden",
      `Operation ${operation} is not permitted on this key.`,
      "KeyOperationForbidden",
    );
  }
}

function decodeValue(body: unknown): { algorithm: string; value: Buffer } {
  const fields = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
  const algorithm = fields.alg;
  const value = fields.value;
  if (typeof algorithm !== "string" || !(algorithm in OAEP_HASH)) {
    throw badParameter(
      `Invalid algorithm '${String(algorithm)}': the emulator supports RSA-OAEP and RSA-OAEP-256.`,
    );
  }
  if (typeof value !== "string" || !/^[A-Za-z0-9_-]*={0,2}$/.test(value)) {
    throw badParameter("value must be a base64url string.");
  }
  return { algorithm, value: Buffer.from(value, "base64url") };
}

/** Runs one operation; `body` is Key Vault's KeyOperationsParameters `{alg, value}`. Returns the result bytes. */
export function runCryptoOperation(
  record: KeyVersionRecord,
  operation: CryptoOperation,
  body: unknown,
): Buffer {
  if (!record.kty.startsWith("RSA")) {
    throw badParameter(`Operation ${operation} is not supported for key type ${record.kty}.`);
  }
  const { algorithm, value } = decodeValue(body);
  const options = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: OAEP_HASH[algorithm] };
  if (operation === "wrapKey" || operation === "encrypt") {
    try {
      return publicEncrypt({ key: record.material.publicKey, ...options }, value);
    } catch {
      throw badParameter(`The plaintext is too long for ${algorithm} with a ${record.keySize ?? 0}-bit key.`);
    }
  }
  try {
    return privateDecrypt({ key: record.material.privateKey, ...options }, value);
  } catch {
    throw badParameter(`Error decrypting: the ciphertext does not match this key version and ${algorithm}.`);
  }
}
