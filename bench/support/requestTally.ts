// Counts what the in-process servers were asked and answered, from Node's own http diagnostics channels.
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What the Power Platform admin API was asked, and how many answers of any server were 429. */
export interface RequestCounts {
  /** POSTs of …/enterprisePolicies/Encryption/link or /unlink (each starts one operation). */
  operations: number;
  /** GETs of an operation's operation-location. */
  polls: number;
  /** Other admin API requests (environment reads, lists). */
  adminReads: number;
  /** 429 answers from any server in this process (ARM, admin API, Key Vault, …). */
  throttled: number;
  /** performance.now() when the first link/unlink arrived. */
  firstOperationAtMs?: number;
}

interface ServerMessage {
  request: IncomingMessage;
  response: ServerResponse;
  server: Server;
}

const ADMIN_API = "/providers/microsoft.businessappplatform/";
/** Requests are counted on arrival: a client may read the whole answer before the server's "finish" is published. */
const ARRIVED = "http.server.request.start";
const ANSWERED = "http.server.response.finish";

/** Tallies requests while started; `take()` returns the counts since the last take and starts again from zero. */
export class RequestTally {
  private counts: RequestCounts = emptyCounts();
  private readonly onArrival = (message: unknown) => this.countArrival(message as ServerMessage);
  private readonly onAnswer = (message: unknown) => {
    if ((message as ServerMessage).response.statusCode === 429) this.counts.throttled += 1;
  };

  /** `adminApiPort`: the port of the server that serves the admin API (the ARM emulator's). */
  constructor(private readonly adminApiPort: number) {}

  start(): void {
    subscribe(ARRIVED, this.onArrival);
    subscribe(ANSWERED, this.onAnswer);
  }

  stop(): void {
    unsubscribe(ARRIVED, this.onArrival);
    unsubscribe(ANSWERED, this.onAnswer);
  }

  take(): RequestCounts {
    const taken = this.counts;
    this.counts = emptyCounts();
    return taken;
  }

  private countArrival({ request, server }: ServerMessage): void {
    if ((server.address() as AddressInfo | null)?.port !== this.adminApiPort) return;
    const path = (request.url ?? "").split("?")[0].toLowerCase();
    if (!path.startsWith(ADMIN_API)) return;
    if (request.method === "POST" && /\/enterprisepolicies\/[^/]+\/(link|unlink)$/.test(path)) {
      this.counts.operations += 1;
      this.counts.firstOperationAtMs ??= performance.now();
    } else if (request.method === "GET" && path.includes("/operations/")) this.counts.polls += 1;
    else this.counts.adminReads += 1;
  }
}

function emptyCounts(): RequestCounts {
  return { operations: 0, polls: 0, adminReads: 0, throttled: 0 };
}
