// A loopback http proxy in front of Azurite's Table endpoint so the control API can inject faults into "tables".
import {
  createServer,
  request as forward,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import type { FaultSpec, FaultTarget } from "../control";

/** Table service error codes for the statuses a fault may pick (Azure Storage's own vocabulary). */
const TABLE_ERROR_CODES: Record<number, string> = {
  408: "OperationTimedOut",
  429: "ServerBusy",
  500: "InternalError",
  503: "ServerBusy",
};

export class TableFaultProxy implements FaultTarget {
  private faults: FaultSpec | undefined;
  private server: Server | undefined;

  constructor(
    /** Azurite's table origin, e.g. http://127.0.0.1:10002 (no account path). */
    private readonly upstreamOrigin: string,
  ) {}

  /** Listens on loopback; returns the proxy's origin (same account paths as Azurite). */
  async start(port = 0): Promise<string> {
    const server = createServer((request, response) => void this.handle(request, response));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  setFaults(spec: FaultSpec): void {
    this.faults = spec;
  }

  clearFaults(): void {
    this.faults = undefined;
  }

  stop(): Promise<void> {
    const server = this.server;
    if (!server) return Promise.resolve();
    return new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const faults = this.faults;
    if (faults && faults.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
    if (faults && faults.errorRate > 0 && Math.random() < faults.errorRate) {
      const status = faults.statuses[Math.floor(Math.random() * faults.statuses.length)] ?? 503;
      request.resume();
      const code = TABLE_ERROR_CODES[status] ?? "InjectedFault";
      const body = JSON.stringify({
        "odata.error": { code, message: { lang: "en-US", value: `Injected fault (${status}).` } },
      });
      response.writeHead(status, {
        "content-type": "application/json;odata=minimalmetadata",
        "x-ms-error-code": code,
        ...(status === 503 || status === 429 ? { "retry-after": "1" } : {}),
      });
      response.end(body);
      return;
    }
    const upstream = new URL(request.url ?? "/", this.upstreamOrigin);
    const outgoing = forward(
      upstream,
      { method: request.method, headers: { ...request.headers, host: upstream.host } },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    outgoing.on("error", (error) => {
      if (!response.headersSent) response.writeHead(502, { "content-type": "application/json" });
      response.end(
        JSON.stringify({
          "odata.error": { code: "BadGateway", message: { lang: "en-US", value: error.message } },
        }),
      );
    });
    request.pipe(outgoing);
  }
}
