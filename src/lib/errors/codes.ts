// The domain error vocabulary: every stable error code and the one HTTP status it maps to.

/**
 * Each code maps to exactly one HTTP status so the doors never have to decide. User errors
 * (4xx) are the caller's mistake and may echo their input; system errors (5xx) are ours or a
 * dependency's and carry no caller data.
 */
export const ERROR_STATUS = {
  BadRequest: 400,
  InvalidJson: 400,
  InvalidKeyId: 400,
  UnknownVault: 400,
  KeyIdOriginMismatch: 400,
  InvalidBinding: 400,
  InvalidDuration: 400,
  IncompatibleKey: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  KeyNotFound: 404,
  KeyVersionNotFound: 404,
  BindingNotFound: 404,
  RotationNotFound: 404,
  RevocationNotFound: 404,
  SweepNotFound: 404,
  KeyChangeNotFound: 404,
  ResourceNotFound: 404,
  MethodNotAllowed: 405,
  Conflict: 409,
  RotationInProgress: 409,
  RevocationInProgress: 409,
  SweepInProgress: 409,
  KeyChangeInProgress: 409,
  /** A key change's preflight found problems; the response lists each finding. */
  PreflightFailed: 409,
  KeyRevoked: 409,
  KeyDisabled: 409,
  /** An event or request about a key version that is no longer the newest. */
  StaleVersion: 409,
  TargetMismatch: 409,
  PayloadTooLarge: 413,
  UnsupportedMediaType: 415,
  TooManyRequests: 429,
  InternalError: 500,
  SettingsInvalid: 500,
  DependencyFailed: 502,
  DependencyForbidden: 502,
  DependencyThrottled: 503,
  DependencyUnavailable: 503,
  /** CMK_REVOCATION_SECRET cannot serve as the webhook's key (unset, unresolved reference, not random). */
  RevocationSecretUnusable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** True for codes that are the caller's mistake (4xx). */
export function isUserErrorCode(code: ErrorCode): boolean {
  return ERROR_STATUS[code] < 500;
}
