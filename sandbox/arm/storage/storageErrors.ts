// Storage resource provider errors for a customer-managed key the account cannot use.
import { ArmError } from "../http/armHttp";

/** Maps a failed Key Vault call (made as the account's identity) to the 400 the Storage RP answers. */
export function storageKeyVaultError(
  failure: { status: number; code: string; message: string },
  keyId: string,
): ArmError {
  const detail = `Key Vault answered ${failure.status} ${failure.code}: ${failure.message}`;
  if (failure.status === 401 || failure.status === 403) {
    return new ArmError(
      400,
      "KeyVaultAuthenticationFailure",
      `The operation failed because the storage account could not use the key '${keyId}' with its identity. ${detail}`,
    );
  }
  if (failure.status === 404) {
    return new ArmError(
      400,
      "KeyVaultKeyNotFound",
      `The key '${keyId}' was not found in the key vault. ${detail}`,
    );
  }
  return new ArmError(
    400,
    "KeyVaultOperationFailed",
    `The storage account could not use the key '${keyId}'. ${detail}`,
  );
}
