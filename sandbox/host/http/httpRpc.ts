// Converts between Node HTTP messages and the RPC http data the Functions host exchanges with the Node worker.
import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import type { RpcHttpCookie, RpcHttpData } from "../worker/coreTypes";
import { fromTypedData } from "../worker/invokeFunction";
import type { HostRequest } from "./hostServer";
import { sendEmpty } from "./hostResponses";

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    flat[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return flat;
}

function flattenQuery(url: URL): Record<string, string> {
  const query: Record<string, string> = {};
  for (const key of new Set(url.searchParams.keys())) query[key] = url.searchParams.getAll(key).join(",");
  return query;
}

/** The trigger data of an HTTP invocation, as the host sends it to the worker. */
export function toRpcHttpRequest(req: HostRequest, routeValues: Record<string, string>): RpcHttpData {
  return {
    method: req.method,
    url: req.url.href,
    headers: flattenHeaders(req.headers),
    query: flattenQuery(req.url),
    params: routeValues,
    body: { bytes: req.body },
  };
}

function toSetCookie(cookie: RpcHttpCookie): string {
  const parts = [`${cookie.name ?? ""}=${cookie.value ?? ""}`];
  if (cookie.domain?.value) parts.push(`Domain=${cookie.domain.value}`);
  if (cookie.path?.value) parts.push(`Path=${cookie.path.value}`);
  const expiresSeconds = cookie.expires?.value?.seconds;
  if (typeof expiresSeconds === "number")
    parts.push(`Expires=${new Date(expiresSeconds * 1000).toUTCString()}`);
  if (cookie.secure?.value) parts.push("Secure");
  if (cookie.httpOnly?.value) parts.push("HttpOnly");
  if (cookie.sameSite && cookie.sameSite !== "none") {
    parts.push(`SameSite=${cookie.sameSite === "explicitNone" ? "None" : cookie.sameSite}`);
  }
  if (typeof cookie.maxAge?.value === "number") parts.push(`Max-Age=${cookie.maxAge.value}`);
  return parts.join("; ");
}

/** Writes a function's RPC http response; no response at all becomes 204 No Content. */
export function writeRpcHttpResponse(res: ServerResponse, response: RpcHttpData | null | undefined): void {
  if (!response) {
    sendEmpty(res, 204);
    return;
  }
  const status = Number(response.statusCode ?? 200) || 200;
  const decoded = fromTypedData(response.body);
  const body =
    decoded === undefined || decoded === null
      ? Buffer.alloc(0)
      : Buffer.isBuffer(decoded)
        ? decoded
        : Buffer.from(typeof decoded === "string" ? decoded : JSON.stringify(decoded));
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(response.headers ?? {})) headers[name.toLowerCase()] = value;
  const cookies = (response.cookies ?? []).map(toSetCookie);
  if (cookies.length) headers["set-cookie"] = cookies;
  headers["content-length"] = String(body.length);
  res.writeHead(status, headers);
  res.end(body);
}
