// Maps results and errors of a door to HTTP responses: JSON bodies, `{error:{code,message}}` for failures.
import type { HttpResponseInit, InvocationContext } from "@azure/functions";
import { DomainError, ensureError, toErrorResponse } from "../../lib/errors";

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit {
  return {
    status,
    jsonBody: body,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  };
}

/**
 * A domain error becomes its own status and message; anything else a 500 with a generic message,
 * logged with its message only (SDK errors can carry request details, never our secrets).
 */
export function failure(error: unknown, context: InvocationContext): HttpResponseInit {
  const { status, body } = toErrorResponse(error);
  if (!(error instanceof DomainError) || status >= 500) {
    context.error(`${context.functionName} failed: ${ensureError(error).message}`);
  }
  return json(status, body);
}
