// Writes a JSON answer from a node:http server: the emulators' one way to send a body (or none) with its length.
import type { ServerResponse } from "node:http";

/**
 * `body` as JSON with a content type, or an empty answer without one when `body` is undefined;
 * always with its content-length. `headers` come last, so a caller's header wins.
 */
export function writeJsonResponse(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = body === undefined ? "" : JSON.stringify(body);
  response.writeHead(status, {
    ...(body === undefined ? {} : { "content-type": "application/json; charset=utf-8" }),
    "content-length": Buffer.byteLength(payload),
    ...headers,
  });
  response.end(payload);
}
