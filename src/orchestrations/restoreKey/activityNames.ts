// Durable names of the restoreKey orchestration and its activities (it also calls the shared revocation steps: consumer checks, record, publish).
export const RESTORE_KEY_ORCHESTRATION = "restoreKey";

export const LOAD_REVOCATION = "restoreKey_loadRevocation";
export const ENABLE_VERSIONS = "restoreKey_enableVersions";
export const LOWER_FENCE = "restoreKey_lowerFence";
