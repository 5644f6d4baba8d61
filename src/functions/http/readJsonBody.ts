// Reads a request body as a JSON object, refusing oversize, malformed or non-object bodies with a 4xx domain error.
import type { HttpRequest } from "@azure/functions";
import { DomainError } from "../../lib/errors";
import { parseJsonObject } from "./parseJsonObject";

/** Our request bodies are a few hundred bytes; anything past 64 KiB is a mistake or an attack. */
export const MAX_BODY_BYTES = 64 * 1024;

/** The body as text, refusing oversize bodies (declared or actual) with 413 before anything parses it. */
export async function readBodyText(request: HttpRequest, maxBytes = MAX_BODY_BYTES): Promise<string> {
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
  return text;
}

export async function readJsonBody(
  request: HttpRequest,
  maxBytes = MAX_BODY_BYTES,
): Promise<Record<string, unknown>> {
  return parseJsonObject(await readBodyText(request, maxBytes));
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
