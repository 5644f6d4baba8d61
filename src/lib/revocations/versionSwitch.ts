// Disables (revocation) or re-enables (restore) a set of key versions in parallel, within the vault's throttle limit.
import { describeFailure } from "../errors";
import type { KeyIdentity, KeyVaultGateway } from "../keys";
import { mapWithConcurrency } from "./concurrency";
import type { VersionSwitchResult } from "./types";

/**
 * Key Vault allows about 4,000 non-create operations per vault per 10 s (400/s) for software keys.
 * 16 PATCHes in flight stays far under that even at a few ms each against a local emulator, and at
 * Azure's ~50 ms latency makes ~320/s: a 50-version key is switched in about 0.15 s without a 429
 * of our own making (the SDK still honours Retry-After if other callers share the vault).
 */
export const VERSION_SWITCH_CONCURRENCY = 16;

export interface SwitchOptions {
  concurrency?: number;
  /** Restore: the revocation whose fence allows re-enabling. */
  revocationId?: string;
}

async function switchVersions(
  gateway: Pick<KeyVaultGateway, "setVersionEnabled">,
  key: KeyIdentity,
  versions: readonly string[],
  enabled: boolean,
  options: SwitchOptions,
): Promise<VersionSwitchResult[]> {
  const setOptions = options.revocationId ? { revocationId: options.revocationId } : {};
  return mapWithConcurrency(versions, options.concurrency ?? VERSION_SWITCH_CONCURRENCY, async (version) => {
    try {
      const after = await gateway.setVersionEnabled(key, version, enabled, setOptions);
      return after.enabled === enabled
        ? { version, isDone: true, detail: "" }
        : { version, isDone: false, detail: `Key Vault still reports enabled=${after.enabled}.` };
    } catch (error) {
      const failure = describeFailure(error);
      return {
        version,
        isDone: false,
        detail: `${failure.code}: ${failure.message}`,
        ...(failure.retryAfterMs === undefined ? {} : { retryAfterMs: failure.retryAfterMs }),
      };
    }
  });
}

/** Disables each version (idempotent: an already disabled version counts as done). Needs keys/update. */
export function disableVersions(
  gateway: Pick<KeyVaultGateway, "setVersionEnabled">,
  key: KeyIdentity,
  versions: readonly string[],
  options: SwitchOptions = {},
): Promise<VersionSwitchResult[]> {
  return switchVersions(gateway, key, versions, false, options);
}

/** Re-enables each version under the revocation's fence (restore). Needs keys/update. */
export function enableVersions(
  gateway: Pick<KeyVaultGateway, "setVersionEnabled">,
  key: KeyIdentity,
  versions: readonly string[],
  revocationId: string,
  options: Omit<SwitchOptions, "revocationId"> = {},
): Promise<VersionSwitchResult[]> {
  return switchVersions(gateway, key, versions, true, { ...options, revocationId });
}
