// Reads every page of one Resource Graph query within the caller's quota (15 queries per 5 s per principal).
import { ThrottledError, fromAzureError, retryAfterMsOf, statusOf } from "../errors";
import { getTelemetry } from "../telemetry";
import type { DiscoveryScopes } from "./types";

export interface GraphPageRequest {
  query: string;
  scopes: DiscoveryScopes;
  skipToken?: string;
}

/** One page as Resource Graph answered it, with the quota headers it carried. */
export interface GraphPage {
  rows: unknown[];
  skipToken?: string;
  /** x-ms-user-quota-remaining */
  quotaRemaining?: number;
  /** x-ms-user-quota-resets-after (hh:mm:ss), in ms. */
  quotaResetsAfterMs?: number;
}

export type ReadGraphPage = (request: GraphPageRequest) => Promise<GraphPage>;

export interface GateOptions {
  /** Waits between queries (quota spent, 429); tests pass a fake. Default: setTimeout. */
  sleep?: (ms: number) => Promise<void>;
  /** Epoch ms; default Date.now. */
  now?: () => number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The quota the last answer reported, shared by every query of one discovery: when it said 0
 * queries remain, the next query waits for the reset. Other workers spend the same per-principal
 * quota, so this only saves a 429; the 429 back-off in `readAllRows` is what holds across workers.
 */
export class GraphQuotaGate {
  private notBeforeMs = 0;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(options: GateOptions = {}) {
    this.sleep = options.sleep ?? defaultSleep;
    this.now = options.now ?? Date.now;
  }

  async ready(): Promise<void> {
    const waitMs = this.notBeforeMs - this.now();
    if (waitMs > 0) await this.sleep(waitMs);
  }

  /** Records an answer's quota headers; `waitMs` (a 429's) pushes the next query out too. */
  observe(page: Pick<GraphPage, "quotaRemaining" | "quotaResetsAfterMs">, waitMs?: number): void {
    const resetMs = page.quotaRemaining === 0 ? (page.quotaResetsAfterMs ?? 5_000) : 0;
    this.notBeforeMs = Math.max(this.notBeforeMs, this.now() + Math.max(resetMs, waitMs ?? 0));
  }
}

/** "00:00:03" (or "1.00:00:03") → 3000; undefined when absent or malformed. */
export function quotaResetsAfterMs(header: string | undefined): number | undefined {
  const match = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d+))?$/.exec(header?.trim() ?? "");
  if (!match) return undefined;
  const [, days = "0", hours, minutes, seconds, fraction = "0"] = match;
  const wholeSeconds = ((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60 + Number(seconds);
  return wholeSeconds * 1000 + Math.round(Number(`0.${fraction}`) * 1000);
}

/**
 * Every row of `query`, page after page ($skipToken), in the order Resource Graph returns them
 * (the queries order by id, so pages are stable). Before a query that the last answer said would
 * exceed the quota, waits until it resets; a 429 waits Retry-After (or the quota reset, or 1, 2,
 * 4… s) and asks again. Any other failure throws a domain error: discovery never passes a partial
 * answer for a whole one. After `maxThrottledInARow` 429s in a row (about a minute of back-off):
 * DependencyThrottled.
 */
export async function readAllRows(
  readPage: ReadGraphPage,
  query: string,
  scopes: DiscoveryScopes,
  gate: GraphQuotaGate = new GraphQuotaGate(),
  maxThrottledInARow = 6,
): Promise<unknown[]> {
  const rows: unknown[] = [];
  let skipToken: string | undefined;
  let throttledInARow = 0;
  for (;;) {
    await gate.ready();
    let page: GraphPage;
    try {
      page = await readPage({ query, scopes, ...(skipToken ? { skipToken } : {}) });
    } catch (error) {
      if (statusOf(error) !== 429) {
        throw fromAzureError(error, {
          dependency: "Azure Resource Graph",
          subject: "the consumers query",
          notFoundCode: "NotFound",
        });
      }
      throttledInARow += 1;
      const retryAfterMs = retryAfterMsOf(error);
      getTelemetry().throttled({ service: "Azure Resource Graph", statusCode: 429, retryAfterMs });
      if (throttledInARow > maxThrottledInARow) {
        throw new ThrottledError("Azure Resource Graph", retryAfterMs, { cause: error });
      }
      gate.observe({}, retryAfterMs ?? 1000 * 2 ** (throttledInARow - 1));
      continue;
    }
    throttledInARow = 0;
    rows.push(...page.rows);
    gate.observe(page);
    if (!page.skipToken) return rows;
    skipToken = page.skipToken;
  }
}
