// What ARM last said was left of this app's request buckets per subscription (x-ms-ratelimit-remaining-*), captured in the client pipeline.
import type { PipelinePolicy } from "@azure/core-rest-pipeline";

/** The two buckets ARM reports on every answer (writes only on writes, reads only on reads). */
export type ArmRequestKind = "reads" | "writes";

/** One headroom header as this process last saw it. */
export interface HeadroomObservation {
  subscriptionId: string;
  kind: ArmRequestKind;
  /** Requests left in the bucket (per subscription and principal) when ARM answered. */
  remaining: number;
  /** How long ago ARM answered, by this process's clock. */
  ageMs: number;
}

const HEADER_OF: Readonly<Record<ArmRequestKind, string>> = {
  reads: "x-ms-ratelimit-remaining-subscription-reads",
  writes: "x-ms-ratelimit-remaining-subscription-writes",
};

/** `/subscriptions/{guid}` anywhere in the path (the *ById calls send `//subscriptions/…`). */
const SUBSCRIPTION_IN_PATH =
  /\/subscriptions\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:[/?]|$)/i;

/**
 * The freshest headroom per subscription and bucket. It is only what this worker's own calls saw:
 * other workers and other callers spend the same buckets, so it is a hint a scheduler may lower its
 * own model with (the sweep does), never the limit itself.
 */
export class ArmHeadroom {
  private readonly latest = new Map<
    string,
    { subscriptionId: string; kind: ArmRequestKind; remaining: number; atMs: number }
  >();

  constructor(private readonly now: () => number = Date.now) {}

  record(subscriptionId: string, kind: ArmRequestKind, remaining: number): void {
    const id = subscriptionId.toLowerCase();
    this.latest.set(`${id}|${kind}`, { subscriptionId: id, kind, remaining, atMs: this.now() });
  }

  /** Every subscription's freshest report per bucket, oldest or not (the reader decides what is stale). */
  observations(): HeadroomObservation[] {
    const nowMs = this.now();
    return [...this.latest.values()].map(({ atMs, ...observation }) => ({
      ...observation,
      ageMs: Math.max(0, nowMs - atMs),
    }));
  }
}

/** Reads the headroom headers off every ARM answer (each retry's too, a 429's included) into `headroom`. */
export function armHeadroomPolicy(headroom: ArmHeadroom): PipelinePolicy {
  return {
    name: "armHeadroomPolicy",
    async sendRequest(request, next) {
      const response = await next(request);
      const subscriptionId = SUBSCRIPTION_IN_PATH.exec(new URL(request.url).pathname)?.[1];
      if (subscriptionId === undefined) return response;
      for (const kind of ["reads", "writes"] as const) {
        const value = response.headers.get(HEADER_OF[kind])?.trim();
        if (value !== undefined && /^\d+$/.test(value)) headroom.record(subscriptionId, kind, Number(value));
      }
      return response;
    },
  };
}
