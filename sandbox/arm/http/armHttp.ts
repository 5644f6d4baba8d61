// Request parsing and ARM-shaped responses shared by every route of the ARM emulator.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { readBoundedBody } from "../../http/readBoundedBody";
import { writeJsonResponse } from "../../http/writeJsonResponse";

/** An error answered in ARM's shape `{error:{code,message}}` with the given HTTP status. */
export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** What every route handler sees of a request. */
export interface ArmRequest {
  method: string;
  /** Path segments without empty parts: `//subscriptions/x` (the *ById form) and `/subscriptions/x` are the same. */
  segments: string[];
  query: URLSearchParams;
  /** Caller's principal id from the bearer token (`oid`), set once authentication passed. */
  principalId: string;
  /** Parsed JSON body (undefined when the body was empty). */
  body: unknown;
  raw: IncomingMessage;
}

const MAX_BODY_BYTES = 1_000_000;

/** Splits a request target into path segments and query; never uses `new URL(req.url, base)` (a base URL would re-resolve `//`-prefixed `*ById` paths as a host). */
export function parseTarget(target: string): { segments: string[]; query: URLSearchParams } {
  const queryStart = target.indexOf("?");
  const path = queryStart === -1 ? target : target.slice(0, queryStart);
  const query = new URLSearchParams(queryStart === -1 ? "" : target.slice(queryStart + 1));
  const segments = path
    .split("/")
    .filter((segment) => segment.length > 0)
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        throw new ArmError(
          400,
          "InvalidRequestUri",
          `The path segment '${segment}' is not valid URL encoding.`,
        );
      }
    });
  return { segments, query };
}

/** Reads and parses a JSON body; an empty body is `undefined`, malformed JSON is a 400. */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const body = await readBoundedBody(
    req,
    MAX_BODY_BYTES,
    () => new ArmError(413, "RequestEntityTooLarge", "The request body is too large."),
  );
  const text = body.toString("utf8").trim();
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ArmError(
      400,
      "InvalidRequestContent",
      "The request content was invalid and could not be deserialized.",
    );
  }
}

/** An ARM answer: JSON (or empty when `body` is undefined), always with a fresh x-ms-request-id. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  writeJsonResponse(res, status, body, { ...headers, "x-ms-request-id": randomUUID() });
}

export function sendArmError(
  res: ServerResponse,
  error: ArmError,
  headers: Record<string, string> = {},
): void {
  sendJson(
    res,
    error.status,
    { error: { code: error.code, message: error.message } },
    { ...headers, ...error.headers },
  );
}

/** Case-insensitive match of path segments against a pattern such as `subscriptions/:sub/resourceGroups/:rg`. */
export function matchSegments(pattern: string, segments: string[]): Record<string, string> | undefined {
  const parts = pattern.split("/");
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (part.startsWith(":")) params[part.slice(1)] = segments[i];
    else if (part.toLowerCase() !== segments[i].toLowerCase()) return undefined;
  }
  return params;
}

/** Narrows an unknown JSON value to a plain object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The body as an object, or a 400 naming what was expected. */
export function requireObjectBody(body: unknown, what: string): Record<string, unknown> {
  if (!isRecord(body))
    throw new ArmError(400, "InvalidRequestContent", `The request body must be a JSON object (${what}).`);
  return body;
}

/** Reads an optional string property; a value of another type is a 400 naming the property. */
export function optionalString(
  source: Record<string, unknown>,
  key: string,
  path: string,
): string | undefined {
  const value = source[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string")
    throw new ArmError(400, "InvalidRequestContent", `'${path}' must be a string.`);
  return value;
}

/** Reads an optional object property; a value of another type is a 400 naming the property. */
export function optionalObject(
  source: Record<string, unknown>,
  key: string,
  path: string,
): Record<string, unknown> | undefined {
  const value = source[key];
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) throw new ArmError(400, "InvalidRequestContent", `'${path}' must be an object.`);
  return value;
}

/** Reads an optional string map (tags); anything else is a 400. */
export function optionalTags(
  source: Record<string, unknown>,
  path: string,
): Record<string, string> | undefined {
  const value = optionalObject(source, "tags", path);
  if (!value) return undefined;
  for (const [key, tag] of Object.entries(value)) {
    if (typeof tag !== "string")
      throw new ArmError(400, "InvalidRequestContent", `Tag '${key}' must be a string.`);
  }
  return value as Record<string, string>;
}
