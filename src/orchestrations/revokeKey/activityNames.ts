// Durable names of the revokeKey orchestration and its activities (the contract with the host and replay histories).
export const REVOKE_KEY_ORCHESTRATION = "revokeKey";

export const TAKE_OVER_KEY = "revokeKey_takeOverKey";
export const SNAPSHOT_VERSIONS = "revokeKey_snapshotVersions";
export const DISABLE_VERSIONS = "revokeKey_disableVersions";
export const CHECK_TARGET = "revokeKey_checkTarget";
export const RECORD_REVOCATION = "revokeKey_recordRevocation";
export const PUBLISH_REVOCATION = "revokeKey_publishOutcome";
