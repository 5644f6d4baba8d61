// Names of the changeKey orchestration and its activities.
export const CHANGE_KEY_ORCHESTRATION = "changeKey";
export const RECORD_KEY_CHANGE = "changeKey_record";
export const SWITCH_STORAGE_ACCOUNT = "changeKey_switchStorageAccount";
export const ENSURE_TARGET_POLICY = "changeKey_ensureTargetPolicy";
export const START_ENVIRONMENT_OPERATION = "changeKey_startEnvironmentOperation";
export const POLL_ENVIRONMENT_OPERATION = "changeKey_pollEnvironmentOperation";
export const VERIFY_ENVIRONMENT = "changeKey_verifyEnvironment";
export const MOVE_BINDING = "changeKey_moveBinding";
