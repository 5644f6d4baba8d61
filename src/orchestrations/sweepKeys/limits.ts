// How hard the sweep may push: each start is scheduled against every Azure limit it consumes, per 10 s window.
//
// Sources (Microsoft Learn): Key Vault service limits (key-vault-limits,
// 07/2025: 20 creates per vault per 10 s for software keys, 10 for HSM); ARM request limits and
// throttling (azure-resource-manager request-limits-and-throttling, 05/2025: per region, subscription
// and principal, writes 200 then 10 per s, reads 250 then 25 per s); Storage's resource provider
// (10 writes per s per region). The windows are durable timers inside the sweep orchestration, so the
// pacing holds whichever worker runs which activity: nothing here rests on in-process state.

/** Keys assessed at once: each read is a few Key Vault gets and ARM reads, far under 4,000 per 10 s per vault. */
export const ASSESS_CONCURRENCY = 8;

/** One pacing window: every budget below is per this many milliseconds. */
export const START_WINDOW_MS = 10_000;

/**
 * New versions started per vault per window. Key Vault allows 20 creates per 10 s per vault (10 for
 * HSM keys); a quarter leaves room for HSM vaults, the portal, rotation policies and other callers.
 * Drift repairs create nothing.
 */
export const ROTATIONS_PER_VAULT_PER_WINDOW = 5;

/**
 * ARM writes per subscription per window: the bucket refills 10 per s (100 per window) per principal;
 * half leaves room for retries and for the app's other work (discovery, revocations).
 */
export const ARM_WRITES_PER_SUBSCRIPTION_PER_WINDOW = 50;

/** ARM reads per subscription per window: 25 per s refill (250 per window); half, as for writes. */
export const ARM_READS_PER_SUBSCRIPTION_PER_WINDOW = 125;

/** Storage resource provider writes per window: 10 per s per region (100 per window); half, as above. */
export const STORAGE_WRITES_PER_WINDOW = 50;

/**
 * ARM reads one rotation makes per target: the reference read right before the write, the read-back
 * after it, and the verification read (versionless targets: the verification reads only).
 */
export const ARM_READS_PER_PINNED_TARGET = 3;
export const ARM_READS_PER_VERSIONLESS_TARGET = 1;

/** The budget of one window, by limit. */
export interface WindowBudget {
  createsPerVault: number;
  armWritesPerSubscription: number;
  armReadsPerSubscription: number;
  storageWrites: number;
}

export const SWEEP_WINDOW_BUDGET: WindowBudget = {
  createsPerVault: ROTATIONS_PER_VAULT_PER_WINDOW,
  armWritesPerSubscription: ARM_WRITES_PER_SUBSCRIPTION_PER_WINDOW,
  armReadsPerSubscription: ARM_READS_PER_SUBSCRIPTION_PER_WINDOW,
  storageWrites: STORAGE_WRITES_PER_WINDOW,
};
