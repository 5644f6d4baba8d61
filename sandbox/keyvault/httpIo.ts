// Small helpers for node:http(s) servers: read a bounded JSON body, write a JSON answer.
import type { IncomingMessage } from "node:http";
import { readBoundedBody } from "../http/readBoundedBody";
import { writeJsonResponse } from "../http/writeJsonResponse";
import { KeyVaultError } from "./errors";

const MAX_BODY_BYTES = 1_048_576;

/** Reads the body as JSON; undefined when empty; 400 BadParameter when it is not JSON or too large. */
export async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const body = await readBoundedBody(
    request,
    MAX_BODY_BYTES,
    () => new KeyVaultError(413, "RequestTooLarge", "The request body is larger than 1 MiB."),
  );
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString("utf8")) as unknown;
  } catch {
    throw new KeyVaultError(400, "BadParameter", "The request body is not valid JSON.");
  }
}

/** A Key Vault answer: JSON, or empty when `body` is undefined; the caller's headers win. */
export const writeJson = writeJsonResponse;
