// Public types of emergency revocation: webhook requests, refusal reasons, per-version switch results.
import type { SignatureFailure } from "../signing";

/** `POST /api/revocations` once its signature checked out and its JSON parsed. */
export interface RevokeRequest {
  /** Versionless key id `<vaultUrl>/keys/<name>`. */
  keyId: string;
  reason: string;
  requestId: string;
}

/** `POST /api/revocations/{id}/restore`. */
export interface RestoreRequest {
  reason: string;
  requestId: string;
  /**
   * Re-enable Locked Power Platform environments through the admin API once their policy is
   * Healthy again (default true); false only lists them for an admin.
   */
  reenableEnvironments: boolean;
}

/** Why a signed request was refused with 401: a signature failure or a requestId seen before. */
export type RefusalReason = SignatureFailure | "ReplayedRequest";

/** What happened to one version when revocation disabled it or restore re-enabled it. */
export interface VersionSwitchResult {
  version: string;
  /** True when the version is now in the wanted state (also when it already was). */
  isDone: boolean;
  /** Failure message when it is not; never a secret. */
  detail: string;
  /** Set when Key Vault throttled us beyond the SDK's own retries. */
  retryAfterMs?: number;
}
