// Domain errors with a stable code, plus the throttling error the orchestration's retry reads.
import { ERROR_STATUS, isUserErrorCode, type ErrorCode } from "./codes";

/** An error with a stable PascalCase code; its message says what to fix. */
export class DomainError extends Error {
  readonly code: ErrorCode;
  /** Extra facts for callers (e.g. the running rotation id on RotationInProgress). Never secrets. */
  readonly details?: Readonly<Record<string, string | number | boolean>>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, string | number | boolean> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = code;
    this.code = code;
    this.details = options.details;
  }

  /** The HTTP status this error maps to at the doors. */
  get status(): number {
    return ERROR_STATUS[this.code];
  }

  /** True when the caller caused it (4xx): its message may contain their input. */
  get isUserError(): boolean {
    return isUserErrorCode(this.code);
  }
}

/**
 * A dependency (Key Vault, ARM, Power Platform) still answered 429/503 after the SDK's own
 * retries. `retryAfterMs` is what the service asked for, so an orchestration retry can wait that
 * long instead of retrying blindly.
 */
export class ThrottledError extends DomainError {
  readonly retryAfterMs: number | undefined;
  readonly dependency: string;

  constructor(dependency: string, retryAfterMs: number | undefined, options: { cause?: unknown } = {}) {
    super(
      "DependencyThrottled",
      `${dependency} is throttling requests${retryAfterMs === undefined ? "" : `; retry after ${Math.ceil(retryAfterMs / 1000)} s`}.`,
      {
        cause: options.cause,
        details: retryAfterMs === undefined ? { dependency } : { dependency, retryAfterMs },
      },
    );
    this.retryAfterMs = retryAfterMs;
    this.dependency = dependency;
  }
}

/** True when `error` is a DomainError, optionally with the given code. */
export function isDomainError(error: unknown, code?: ErrorCode): error is DomainError {
  return error instanceof DomainError && (code === undefined || error.code === code);
}
