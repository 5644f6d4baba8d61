// Small helpers for node:http(s) servers: read a bounded JSON body, write a JSON answer.
import type { IncomingMessage, ServerResponse } from "node:http";
import { KeyVaultError } from "./errors";

const MAX_BODY_BYTES = 1_048_576;

/** Reads the body as JSON; undefined when empty; 400 BadParameter when it is not JSON or too large. */
export async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES)
      throw new KeyVaultError(413, "RequestTooLarge", "The request body is larger than 1 MiB.");
    chunks.push(buffer);
  }
  if (size === 0) return undefined;
  const text = Buffer.concat(chunks).toString("utf8");
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new KeyVaultError(400, "BadParameter", "The request body is not valid JSON.");
  }
}

export function writeJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = body === undefined ? "" : JSON.stringify(body);
  response.writeHead(status, {
    ...(body === undefined ? {} : { "Content-Type": "application/json; charset=utf-8" }),
    "Content-Length": Buffer.byteLength(payload),
    ...headers,
  });
  response.end(payload);
}
