// The host's HTTP listener: reads each request with a body limit, hands it to the first handler that claims it.
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { errorMessage, type HostLogger } from "../hostLog";
import { HostRequestError, sendError } from "./hostResponses";

/** A fully read request. `url` is absolute, built from the Host header as the Functions host does. */
export interface HostRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Returns true when it answered the request, false to let the next handler try. */
export type RequestHandler = (req: HostRequest, res: ServerResponse) => Promise<boolean>;

export interface RunningListener {
  port: number;
  baseUrl: string;
  close(graceMs?: number): Promise<void>;
}

async function readBody(
  incoming: NodeJS.ReadableStream & { headers: IncomingHttpHeaders },
  limitBytes: number,
): Promise<Buffer> {
  const declared = Number(incoming.headers["content-length"]);
  const tooLarge = () =>
    new HostRequestError(
      413,
      "PayloadTooLarge",
      `The request body exceeds the limit of ${limitBytes} bytes.`,
    );
  if (Number.isFinite(declared) && declared > limitBytes) {
    incoming.resume();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let total = 0;
  let isOverLimit = false;
  for await (const chunk of incoming) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    total += buffer.length;
    // Keep draining so the client sees the 413 instead of a reset connection, but stop buffering.
    if (total > limitBytes) isOverLimit = true;
    else chunks.push(buffer);
  }
  if (isOverLimit) throw tooLarge();
  return Buffer.concat(chunks);
}

/** Listens on `host:port` (0 = any free port) and serves `handlers` in order; unclaimed paths get a 404 JSON error. */
export async function startListener(options: {
  host: string;
  port: number;
  maxRequestBodyBytes: number;
  handlers: RequestHandler[];
  log: HostLogger;
}): Promise<RunningListener> {
  const server: Server = createServer((incoming, res) => {
    void (async () => {
      try {
        const hostHeader =
          incoming.headers.host ?? `${options.host}:${(server.address() as AddressInfo).port}`;
        const url = new URL(incoming.url ?? "/", `http://${hostHeader}`);
        const body = await readBody(incoming, options.maxRequestBodyBytes);
        const request: HostRequest = {
          method: (incoming.method ?? "GET").toUpperCase(),
          url,
          headers: incoming.headers,
          body,
        };
        for (const handler of options.handlers) {
          if (await handler(request, res)) return;
        }
        sendError(
          res,
          404,
          "NotFound",
          `No function or host endpoint matches ${request.method} ${url.pathname}.`,
        );
      } catch (error) {
        if (res.headersSent) {
          res.destroy();
        } else if (error instanceof HostRequestError) {
          sendError(res, error.status, error.code, error.message);
        } else {
          options.log({
            level: "error",
            category: "system",
            message: `request failed: ${errorMessage(error)}`,
          });
          sendError(res, 500, "InternalServerError", "The local host failed to process the request.");
        }
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    baseUrl: `http://${options.host}:${port}`,
    close: (graceMs = 2000) =>
      new Promise<void>((resolve) => {
        // Requests in flight may finish within the grace period; idle keep-alive sockets go at once.
        const force = setTimeout(() => server.closeAllConnections(), graceMs);
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
