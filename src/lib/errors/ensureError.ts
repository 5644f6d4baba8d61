// Turns anything thrown into an Error, and any error into the `{error:{code,message}}` body of a door.
import { DomainError } from "./DomainError";
import type { ErrorCode } from "./codes";

/** Whatever was thrown (string, object, undefined), returns an Error without losing its text. */
export function ensureError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  let text: string;
  if (typeof thrown === "string") text = thrown;
  else {
    try {
      text = JSON.stringify(thrown) ?? String(thrown);
    } catch {
      text = String(thrown);
    }
  }
  return new Error(`Non-error thrown: ${text}`);
}

export interface ErrorResponse {
  status: number;
  body: { error: { code: ErrorCode; message: string } };
}

/**
 * Maps an error to the HTTP answer of a door. Domain errors keep their code and message; anything
 * else becomes a 500 InternalError with a generic message (no stack, no internals leak out).
 */
export function toErrorResponse(thrown: unknown): ErrorResponse {
  if (thrown instanceof DomainError) {
    return { status: thrown.status, body: { error: { code: thrown.code, message: thrown.message } } };
  }
  return {
    status: 500,
    body: {
      error: { code: "InternalError", message: "The service failed unexpectedly; see the function logs." },
    },
  };
}
