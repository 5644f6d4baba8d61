// Durable names of the activities revokeKey and restoreKey share (kept as first registered, so running histories still match).
export const CHECK_TARGET = "revokeKey_checkTarget";
export const RECORD_REVOCATION = "revokeKey_recordRevocation";
export const PUBLISH_REVOCATION = "revokeKey_publishOutcome";
