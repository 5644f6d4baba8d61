// Entry point of the app settings: validated once, typed, memoised.
export {
  SETTING_NAMES,
  STORAGE_IDENTITY_SETTING_NAMES,
  DEFAULT_ARM_ENDPOINT,
  DEFAULT_POWER_PLATFORM_ENDPOINT,
  MIN_REVOCATION_SECRET_LENGTH,
  DEFAULT_KEY_CHANGE_PARALLEL_ENVIRONMENTS,
  MAX_KEY_CHANGE_PARALLEL_ENVIRONMENTS,
  type AllowedVault,
  type SettingName,
  type Settings,
  type StorageConnection,
} from "./types";
export { SettingsError } from "./SettingsError";
export { readRevocationSecret, type RevocationSecret } from "./revocationSecret";
export { loadSettings, getSettings, resetSettings } from "./loadSettings";
export { parseAllowedVaults, vaultOrigin, VAULT_NAME_PATTERN } from "./parseAllowedVaults";
export { readStorageConnection } from "./storageConnection";
