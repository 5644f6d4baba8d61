// Entry point of the keys concept: identity and allow-list, instance ids, the Key Vault gateway.
export type {
  KeyIdentity,
  ParsedKeyId,
  KeyVersionInfo,
  KeyInfo,
  KeyType,
  CreateVersionOptions,
  CreatedVersion,
  KeyRotationPolicyInfo,
  KeyVaultGateway,
} from "./types";
export {
  VaultAllowList,
  KEY_NAME_PATTERN,
  KEY_VERSION_PATTERN,
  keyPathOf,
  isSameKey,
  versionOfKeyId,
  type ParseKeyIdOptions,
} from "./keyId";
export { rotationInstanceId, revocationInstanceId, keyChangeInstanceId } from "./instanceIds";
export { ROTATION_ID_TAG, creatingRotationIdOf, isCreatedByService } from "./tags";
export {
  createKeyVaultGateway,
  keyVaultFailure,
  type KeyClientSource,
  type KeyVaultGatewayOptions,
} from "./keyVaultGateway";
export { createTableKeyFenceStore, FENCES_TABLE, type KeyFence, type KeyFenceStore } from "./keyFence";
export {
  createTableKeyChangeMarkStore,
  markKeyPair,
  type KeyChangeMark,
  type KeyChangeMarkStore,
} from "./keyChangeMarks";
