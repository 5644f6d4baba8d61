// Azure's limits a sweep spends, in each service's own model, with sources; the margins the sweep keeps; what each step spends.
//
// Sources (Microsoft Learn): Key Vault service limits (key-vault-limits, 07/2025: per vault per 10 s,
// 20 creates of software keys, 10 of HSM keys; a rotate counts as a create; Failed (429) requests do not
// count); ARM request limits and throttling (azure-resource-manager request-limits-and-throttling,
// 05/2025: token buckets per region, subscription and principal, writes 200 then 10 per s, reads 250 then
// 25 per s; 429 with Retry-After; headroom in x-ms-ratelimit-remaining-subscription-reads/-writes);
// Storage's resource provider (scalability targets: 10 writes per s per region and subscription, no
// headroom header); Resource Graph (guidance-for-throttled-requests: 15 queries per 5 s per user).
import type { BindingMode } from "../../lib/bindings/types";
import type { ConsumerKind } from "../../lib/consumers/types";

/** The limits a sweep schedules its work against. Scopes: a vault (creates), a subscription (the rest). */
export type LimitName = "keyVaultCreates" | "keyVaultHsmCreates" | "armReads" | "armWrites" | "storageWrites";

/** Up to `burst` requests at once, then `refillPerSecond` (ARM, Storage's provider). */
export interface TokenBucketLimit {
  model: "tokenBucket";
  burst: number;
  refillPerSecond: number;
}

/** At most `perWindow` requests in any `windowMs` (Key Vault). */
export interface WindowLimit {
  model: "window";
  perWindow: number;
  windowMs: number;
}

export type RateLimit = TokenBucketLimit | WindowLimit;

/**
 * Azure's figures. Only ARM reports headroom (x-ms-ratelimit-remaining-subscription-reads and -writes,
 * captured in the client pipeline: src/lib/azure/armHeadroom.ts); Key Vault and Storage's provider send
 * none, so for them the model is all the sweep has.
 */
export const AZURE_LIMITS: Readonly<Record<LimitName, RateLimit>> = {
  keyVaultCreates: { model: "window", perWindow: 20, windowMs: 10_000 },
  keyVaultHsmCreates: { model: "window", perWindow: 10, windowMs: 10_000 },
  armReads: { model: "tokenBucket", burst: 250, refillPerSecond: 25 },
  armWrites: { model: "tokenBucket", burst: 200, refillPerSecond: 10 },
  storageWrites: { model: "tokenBucket", burst: 10, refillPerSecond: 10 },
};

/**
 * What the sweep leaves unspent. Every limit is shared (the portal, policies, other apps under the same
 * principal, this app's own events and revocations), and a rotation makes its calls a moment after its
 * turn (later still when a worker is busy, or a 429's retry waits its Retry-After): a fifth of each
 * burst, and never less than 5 requests, stays in reserve for them; the refill is counted 5 % short,
 * which also lets a bucket recover from a late call within seconds; and a Key Vault window is taken a
 * second longer than it is.
 */
export interface SafetyMargin {
  reserveShare: number;
  minimumReserve: number;
  refillShare: number;
  windowSlackMs: number;
}

export const SWEEP_MARGIN: SafetyMargin = {
  reserveShare: 0.2,
  minimumReserve: 5,
  refillShare: 0.95,
  windowSlackMs: 1_000,
};

/**
 * How far ahead the sweep hands out turns, and so how often it wakes up (a durable timer), takes in
 * the headroom its activities saw, and starts the next rotations. Each rotation then waits for its
 * own turn on a durable timer of its own, so turns are as fine as the limits need.
 */
export const TURN_WINDOW_MS = 10_000;

/**
 * Turns are handed out this long ahead: the sweep wakes this long before the next turn, and its first
 * turn is this long after it has assessed, so that every rotation is started and waits on its own timer
 * by its turn (a late start would make its calls late and bunch them with the next ones).
 */
export const START_LEAD_MS = 1_500;

/**
 * Headroom older than this says nothing about the bucket now (a minute refills 600 writes): ignored.
 */
export const HEADROOM_MAX_AGE_MS = 60_000;

/**
 * Resource Graph (15 queries per 5 s per user) is not modelled: a sweep asks it twice, one snapshot of
 * every vault's consumers before the rotations and one before the drift check, each two queries plus
 * one per further 1,000 rows; discovery's own gate waits out the quota if that is ever too many.
 */

/** Keys assessed at once: each is a few Key Vault gets and Table reads (and, unforced, ARM reads, paced). */
export const ASSESS_CONCURRENCY = 32;

/** What one target costs a rotation (or a drift repair), by consumer kind and mode; counted at the ARM emulator. */
export interface TargetCalls {
  armReads: number;
  armWrites: number;
  storageWrites: number;
}

/**
 * - storage, pinned: GET right before the PATCH, the PATCH (a Storage provider write; its answer is the
 *   read-back), the verification GET;
 * - storage, versionless: the GET that checks it follows the key, the verification GET;
 * - enterprise policy, pinned: GET, the PATCH, the update's completion poll, the verification GET
 *   (the linked-environment check goes to the Power Platform admin API, not ARM);
 * - enterprise policy, versionless: GET, verification GET.
 * Hourly re-checks of versionless targets come long after the sweep and are not counted.
 */
export const CALLS_PER_TARGET: Readonly<Record<ConsumerKind, Readonly<Record<BindingMode, TargetCalls>>>> = {
  storageAccount: {
    pinned: { armReads: 2, armWrites: 1, storageWrites: 1 },
    versionless: { armReads: 2, armWrites: 0, storageWrites: 0 },
  },
  powerPlatformPolicy: {
    pinned: { armReads: 3, armWrites: 1, storageWrites: 0 },
    versionless: { armReads: 2, armWrites: 0, storageWrites: 0 },
  },
};

/** Reads an unforced assessment may make per pinned target (the drift check reads each, until one drifted). */
export const ASSESSMENT_READS_PER_PINNED_TARGET = 1;

/** Reads the drift check makes per bound target (each is read from ARM beside Resource Graph's rows). */
export const DRIFT_READS_PER_TARGET = 1;
