// Per-key rate limit of revoke/restore requests in Table Storage, so a leaked secret cannot flap a key.
import { odata, type TableClient } from "@azure/data-tables";
import { DomainError, fromAzureError, statusOf } from "../errors";
import { keyPathOf, type KeyIdentity } from "../keys";
import { encodeTableKey, ensureTable, fromInvertedTime, invertedTime } from "../tables";

export const RATE_LIMITS_TABLE = "cmkratelimits";

/** At most this many accepted revoke/restore requests per key per window (revoke, restore, and a few retries). */
export const DEFAULT_REQUESTS_PER_WINDOW = 6;
export const DEFAULT_WINDOW_MS = 10 * 60_000;

export interface RateLimitOptions {
  requestsPerWindow?: number;
  windowMs?: number;
}

export interface KeyRateLimiter {
  /**
   * Counts one request against the key's window, or throws TooManyRequests (429) whose details
   * carry `retryAfterSeconds` when the window is full. `requestId` makes the row unique.
   */
  take(key: KeyIdentity, requestId: string, nowMs: number): Promise<void>;
  /** Gives back what `take` counted with the same arguments: the request it let through changed nothing. */
  giveBack(key: KeyIdentity, requestId: string, nowMs: number): Promise<void>;
}

interface RequestRow {
  partitionKey: string;
  rowKey: string;
  atMs: number;
}

/**
 * Sliding-window log: one row per accepted request, RowKey = invertedTime_requestId, so the rows
 * inside the window are one range read. The rows survive host restarts. Two requests racing for
 * the last slot may both pass (the limit can be exceeded by the number of concurrent callers);
 * that bounds flapping, which is its only job. Needs Storage Table Data Contributor.
 */
export function createTableRateLimiter(table: TableClient, options: RateLimitOptions = {}): KeyRateLimiter {
  const limit = options.requestsPerWindow ?? DEFAULT_REQUESTS_PER_WINDOW;
  const windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
  return {
    async take(key, requestId, nowMs) {
      await ensureTable(table);
      const partitionKey = partitionOf(key);
      const windowStart = invertedTime(Math.max(0, Math.floor(nowMs - windowMs)));
      const inWindow: number[] = [];
      try {
        const rows = table.listEntities<RequestRow>({
          queryOptions: { filter: odata`PartitionKey eq ${partitionKey} and RowKey lt ${windowStart}` },
        });
        for await (const row of rows) inWindow.push(fromInvertedTime(row.rowKey.split("_")[0]));
      } catch (error) {
        throw fromAzureError(error, { dependency: "Table Storage", subject: "revocation rate limit" });
      }
      if (inWindow.length >= limit) {
        const oldestMs = Math.min(...inWindow);
        const retryAfterSeconds = Math.max(1, Math.ceil((oldestMs + windowMs - nowMs) / 1000));
        throw new DomainError(
          "TooManyRequests",
          `At most ${limit} revoke or restore requests per key every ${windowMs / 60_000} minutes; retry after ${retryAfterSeconds} s.`,
          { details: { retryAfterSeconds } },
        );
      }
      try {
        await table.createEntity<RequestRow>({
          partitionKey,
          rowKey: rowKeyOf(requestId, nowMs),
          atMs: Math.floor(nowMs),
        });
      } catch (error) {
        throw fromAzureError(error, { dependency: "Table Storage", subject: "revocation rate limit" });
      }
    },

    async giveBack(key, requestId, nowMs) {
      try {
        await table.deleteEntity(partitionOf(key), rowKeyOf(requestId, nowMs));
      } catch (error) {
        if (statusOf(error) !== 404)
          throw fromAzureError(error, { dependency: "Table Storage", subject: "revocation rate limit" });
      }
    },
  };
}

const partitionOf = (key: KeyIdentity): string => encodeTableKey(keyPathOf(key).toLowerCase());
const rowKeyOf = (requestId: string, nowMs: number): string =>
  `${invertedTime(Math.floor(nowMs))}_${encodeTableKey(requestId)}`;
