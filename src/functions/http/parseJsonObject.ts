// Parses a request body that must be one JSON object, with the errors every door answers alike.
import { DomainError } from "../../lib/errors";

/** Parses the raw body text of a request; InvalidJson / BadRequest (400) when it is not an object. */
export function parseJsonObject(rawBody: string): Record<string, unknown> {
  if (rawBody.trim() === "") throw new DomainError("InvalidJson", "The body is empty; send a JSON object.");
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody);
  } catch {
    throw new DomainError("InvalidJson", "The body is not valid JSON.");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new DomainError("BadRequest", "The body must be a JSON object.");
  }
  return parsed as Record<string, unknown>;
}
