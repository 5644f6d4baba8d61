// Entry point of emergency revocation's lib: signed requests, replay guard, rate limit, version switching, restore rules.
export type { RevokeRequest, RestoreRequest, RefusalReason, VersionSwitchResult } from "./types";
export { RequestRefusal } from "./RequestRefusal";
export { checkSignedRequest, type HeaderSource } from "./checkSignedRequest";
export { parseRevokeRequest, parseRestoreRequest } from "./parseRequests";
export { claimRequestId, assertRequestIdUnseen, REQUEST_ID_SCOPE } from "./replayGuard";
export {
  createTableRateLimiter,
  RATE_LIMITS_TABLE,
  DEFAULT_REQUESTS_PER_WINDOW,
  DEFAULT_WINDOW_MS,
  type KeyRateLimiter,
  type RateLimitOptions,
} from "./rateLimiter";
export { mapWithConcurrency } from "./concurrency";
export {
  disableVersions,
  enableVersions,
  VERSION_SWITCH_CONCURRENCY,
  type SwitchOptions,
} from "./versionSwitch";
export { versionsToRestore, revokedVersionsOf } from "./restorePlan";
