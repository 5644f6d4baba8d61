// Reads a request body as a JSON object, refusing oversize, malformed or non-object bodies with a 4xx domain error.
import type { HttpRequest } from "@azure/functions";
import { DomainError } from "../../lib/errors";

/** Our request bodies are a few hundred bytes; anything past 64 KiB is a mistake or an attack. */
export const MAX_BODY_BYTES = 64 * 1024;

export async function readJsonBody(
  request: HttpRequest,
  maxBytes = MAX_BODY_BYTES,
): Promise<Record<string, unknown>> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) {
    throw new DomainError(
      "PayloadTooLarge",
      `The body is ${declared} bytes; at most ${maxBytes} are accepted.`,
    );
  }
  const text = await request.text();
  if (Buffer.byteLength(text, "utf8") > maxBytes) {
    throw new DomainError("PayloadTooLarge", `The body is larger than ${maxBytes} bytes.`);
  }
  if (text.trim() === "") throw new DomainError("InvalidJson", "The body is empty; send a JSON object.");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new DomainError("InvalidJson", "The body is not valid JSON.");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new DomainError("BadRequest", "The body must be a JSON object.");
  }
  return parsed as Record<string, unknown>;
}

/** An optional string field; throws BadRequest naming the field when it has another type. */
export function optionalString(
  body: Record<string, unknown>,
  field: string,
  maxLength = 500,
): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw new DomainError("BadRequest", `${field} must be a string.`);
  if (value.length > maxLength)
    throw new DomainError("BadRequest", `${field} is longer than ${maxLength} characters.`);
  return value;
}

/** An optional boolean field; throws BadRequest naming the field when it has another type. */
export function optionalBoolean(body: Record<string, unknown>, field: string): boolean | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw new DomainError("BadRequest", `${field} must be true or false.`);
  return value;
}
