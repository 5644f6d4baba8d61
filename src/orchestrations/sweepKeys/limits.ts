// How hard the sweep may push: bounded so a large estate stays inside Key Vault and ARM throttle limits.

/** Keys assessed at once: each read is a few Key Vault gets and ARM reads, far under 4,000 per 10 s per vault. */
export const ASSESS_CONCURRENCY = 8;

/**
 * New versions started per vault per window. Key Vault allows 20 creates per 10 s per vault (10 for
 * HSM keys); half leaves room for portal, policy and other callers. Drift repairs create nothing.
 */
export const ROTATIONS_PER_VAULT_PER_WINDOW = 5;
export const START_WINDOW_MS = 10_000;
