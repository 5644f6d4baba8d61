// The small set of responses the host itself writes (errors as {error:{code,message}}, JSON bodies, empty replies).
import type { ServerResponse } from "node:http";
import { writeJsonResponse } from "../../http/writeJsonResponse";

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  // The host always answers a JSON body: an orchestration that finished without output is JSON null.
  writeJsonResponse(res, status, body ?? null, headers);
}

export function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { error: { code, message } });
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-length": 0, ...headers });
  res.end();
}

/** A request the host refuses before any function runs (bad key, unknown route, oversize body, ...). */
export class HostRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
