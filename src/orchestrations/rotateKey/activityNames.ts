// Durable names of the rotateKey orchestration and its activities (the contract with the host and replay histories).
export const ROTATE_KEY_ORCHESTRATION = "rotateKey";

export const LOAD_ROTATION_PLAN = "rotateKey_loadPlan";
export const CREATE_KEY_VERSION = "rotateKey_createVersion";
export const PROPAGATE_TO_TARGET = "rotateKey_propagateToTarget";
export const VERIFY_TARGET = "rotateKey_verifyTarget";
export const RECORD_TARGET_ATTEMPTS = "rotateKey_recordTargetAttempts";
export const RECORD_ROTATION = "rotateKey_recordRotation";
export const PUBLISH_OUTCOME = "rotateKey_publishOutcome";
export const RETIRE_PREVIOUS_VERSIONS = "rotateKey_retirePreviousVersions";
