// How long the old key of a key change stays untouched: Power Platform's rule for a changed key.

/**
 * Microsoft: keep the old key, its vault and the permissions for 30 days after changing to a new key
 * (database restore still needs it). 28 days is the rule for an old version after a rotation.
 */
export const KEY_CHANGE_RETENTION_MS = 30 * 86_400_000;
