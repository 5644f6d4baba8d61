// Translates errors thrown by Azure SDK clients (RestError) into domain errors, once, at the edge.
import { DomainError, ThrottledError } from "./DomainError";
import type { ErrorCode } from "./codes";
import { ensureError } from "./ensureError";
import { getTelemetry } from "../telemetry/Telemetry";

/** The parts of an SDK RestError we read (duck-typed so no transitive package is imported). */
interface RestErrorLike {
  statusCode?: number;
  code?: string;
  message: string;
  response?: { headers?: { get(name: string): string | undefined } };
}

function asRestError(error: Error): RestErrorLike {
  return error;
}

/** Reads `Retry-After` (seconds or an HTTP date) or `retry-after-ms` from a failed response. */
export function retryAfterMsOf(thrown: unknown, nowMs: number = Date.now()): number | undefined {
  const headers = asRestError(ensureError(thrown)).response?.headers;
  if (!headers) return undefined;
  const ms = headers.get("retry-after-ms") ?? headers.get("x-ms-retry-after-ms");
  if (ms && /^\d+$/.test(ms.trim())) return Number(ms.trim());
  const value = headers.get("retry-after")?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** A copy of an SDK error without its request and response (which hold tokens and signatures). */
function sanitized(error: Error): Error {
  const rest = asRestError(error);
  const copy = new Error(error.message);
  copy.name = error.name;
  return Object.assign(copy, { statusCode: rest.statusCode, code: rest.code });
}

/** HTTP status of a failed SDK call, when it got as far as a response. */
export function statusOf(thrown: unknown): number | undefined {
  return asRestError(ensureError(thrown)).statusCode;
}

export interface AzureErrorContext {
  /** Dependency name for messages: "Key Vault", "Azure Resource Manager", "Power Platform". */
  dependency: string;
  /** What was being touched, e.g. "key kv1/cmk" or a resource id. Never a secret. */
  subject: string;
  /** The domain code for a 404 (KeyNotFound, ResourceNotFound, ...). */
  notFoundCode?: ErrorCode;
}

/**
 * Maps an SDK failure to a domain error: 404 → `notFoundCode`, 401/403 → DependencyForbidden,
 * 429 and 503 → ThrottledError with the service's Retry-After, other 5xx and network errors →
 * DependencyUnavailable/DependencyFailed. A DomainError passes through unchanged.
 */
export function fromAzureError(thrown: unknown, context: AzureErrorContext): DomainError {
  if (thrown instanceof DomainError) return thrown;
  const original = ensureError(thrown);
  const rest = asRestError(original);
  // The SDK error carries the request with its Authorization header: keep only what is safe to log.
  const error = sanitized(original);
  const status = rest.statusCode;
  const serviceCode = rest.code ? ` (${rest.code})` : "";
  if (status === 404) {
    return new DomainError(
      context.notFoundCode ?? "ResourceNotFound",
      `${context.subject} was not found in ${context.dependency}${serviceCode}.`,
      { cause: error },
    );
  }
  if (status === 401 || status === 403) {
    return new DomainError(
      "DependencyForbidden",
      `${context.dependency} refused access to ${context.subject}${serviceCode}: grant this app's identity the role it needs.`,
      { cause: error },
    );
  }
  if (status === 429 || status === 503) {
    const retryAfterMs = retryAfterMsOf(original);
    getTelemetry().throttled({ service: context.dependency, statusCode: status, retryAfterMs });
    return new ThrottledError(context.dependency, retryAfterMs, { cause: error });
  }
  if (status === undefined) {
    return new DomainError(
      "DependencyUnavailable",
      `${context.dependency} could not be reached for ${context.subject}: ${error.message}`,
      { cause: error },
    );
  }
  return new DomainError(
    "DependencyFailed",
    `${context.dependency} answered ${status}${serviceCode} for ${context.subject}: ${error.message}`,
    { cause: error },
  );
}
