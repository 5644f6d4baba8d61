// Durable names of the revokeKey orchestration and its own activities (the contract with the host and replay histories).
export const REVOKE_KEY_ORCHESTRATION = "revokeKey";

export const TAKE_OVER_KEY = "revokeKey_takeOverKey";
export const SNAPSHOT_VERSIONS = "revokeKey_snapshotVersions";
export const DISABLE_VERSIONS = "revokeKey_disableVersions";
