// Validates the JSON bodies of the revocation webhook into RevokeRequest / RestoreRequest.
import { DomainError } from "../errors";
import type { RestoreRequest, RevokeRequest } from "./types";

/** Callers choose requestIds (UUIDs, ticket numbers); keep them table-key friendly and short. */
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{8,128}$/;
const MAX_REASON_LENGTH = 500;

function requiredString(body: Record<string, unknown>, field: string, maxLength: number): string {
  const value = body[field];
  if (typeof value !== "string" || value.trim() === "") {
    throw new DomainError("BadRequest", `${field} is required and must be a non-empty string.`);
  }
  if (value.length > maxLength) {
    throw new DomainError("BadRequest", `${field} is longer than ${maxLength} characters.`);
  }
  return value.trim();
}

function requestIdOf(body: Record<string, unknown>): string {
  const requestId = requiredString(body, "requestId", 128);
  if (!REQUEST_ID_PATTERN.test(requestId)) {
    throw new DomainError(
      "BadRequest",
      "requestId must be 8 to 128 letters, digits, '.', '_', ':' or '-' (a UUID is a good choice).",
    );
  }
  return requestId;
}

function refuseUnknownFields(body: Record<string, unknown>, known: readonly string[]): void {
  const unknown = Object.keys(body).filter((field) => !known.includes(field));
  if (unknown.length > 0) {
    throw new DomainError(
      "BadRequest",
      `Unknown field(s) ${unknown.join(", ")}; accepted: ${known.join(", ")}.`,
    );
  }
}

/** `{keyId, reason, requestId}`; the key id itself is checked against the allow-list by the caller. */
export function parseRevokeRequest(body: Record<string, unknown>): RevokeRequest {
  refuseUnknownFields(body, ["keyId", "reason", "requestId"]);
  return {
    keyId: requiredString(body, "keyId", 2048),
    reason: requiredString(body, "reason", MAX_REASON_LENGTH),
    requestId: requestIdOf(body),
  };
}

/** `{reason, requestId, reenableEnvironments?}`. */
export function parseRestoreRequest(body: Record<string, unknown>): RestoreRequest {
  refuseUnknownFields(body, ["reason", "requestId", "reenableEnvironments"]);
  const reenable = body.reenableEnvironments;
  if (reenable !== undefined && typeof reenable !== "boolean") {
    throw new DomainError("BadRequest", "reenableEnvironments must be true or false.");
  }
  return {
    reason: requiredString(body, "reason", MAX_REASON_LENGTH),
    requestId: requestIdOf(body),
    reenableEnvironments: reenable ?? true,
  };
}
