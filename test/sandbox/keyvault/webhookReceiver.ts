// Test helper: a small http webhook that answers Event Grid's validation handshakes and records deliveries per path.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedDelivery {
  path: string;
  headers: IncomingHttpHeaders;
  events: Array<Record<string, unknown>>;
}

export interface WebhookReceiver {
  url(path: string): string;
  deliveries(path: string): ReceivedDelivery[];
  /** The next `count` notifications to `path` answer `status` (to exercise retries). */
  failNext(path: string, count: number, status: number): void;
  /** Paths that refuse the validation handshake. */
  refuseValidation(path: string): void;
  stop(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedDelivery[] = [];
  const failures = new Map<string, { count: number; status: number }>();
  const refusing = new Set<string>();
  const server: Server = createServer((request, response) => {
    const path = request.url ?? "/";
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      if (request.method === "OPTIONS") {
        const origin = request.headers["webhook-request-origin"];
        response.writeHead(
          refusing.has(path) ? 403 : 200,
          refusing.has(path) ? {} : { "WebHook-Allowed-Origin": String(origin) },
        );
        response.end();
        return;
      }
      const events = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Array<Record<string, unknown>>;
      if (request.headers["aeg-event-type"] === "SubscriptionValidation") {
        if (refusing.has(path)) {
          response.writeHead(404).end();
          return;
        }
        const data = events[0].data as { validationCode: string };
        response
          .writeHead(200, { "Content-Type": "application/json" })
          .end(JSON.stringify({ validationResponse: data.validationCode }));
        return;
      }
      const failure = failures.get(path);
      if (failure && failure.count > 0) {
        failure.count--;
        response.writeHead(failure.status).end();
        return;
      }
      received.push({ path, headers: request.headers, events });
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    deliveries: (path) => received.filter((delivery) => delivery.path === path),
    failNext: (path, count, status) => void failures.set(path, { count, status }),
    refuseValidation: (path) => void refusing.add(path),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
