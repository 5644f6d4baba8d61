// Insert-if-absent markers in Table Storage: event de-duplication and the webhook's requestId replay guard.
import { randomUUID } from "node:crypto";
import type { TableClient } from "@azure/data-tables";
import { fromAzureError, statusOf } from "../errors";
import { encodeTableKey } from "./tableKeys";
import { ensureTable } from "./ensureTable";

export const ONCE_TABLE = "cmkonce";

export interface OnceStore {
  /**
   * Claims `id` within `scope` (e.g. "event", "revocationRequest"). True the first time, false
   * every later time, across processes and restarts (the table's insert is the arbiter).
   */
  claim(scope: string, id: string, atMs: number, note?: string): Promise<boolean>;
  /** Gives a claim back (the work it guarded could not even start), so a redelivery may claim it. */
  release(scope: string, id: string): Promise<void>;
  /** True when `id` was claimed in `scope`. */
  isClaimed(scope: string, id: string): Promise<boolean>;
}

/** Table-backed OnceStore. Needs Storage Table Data Contributor. */
export function createTableOnceStore(table: TableClient): OnceStore {
  const row = (scope: string, id: string) => ({
    partitionKey: encodeTableKey(scope),
    rowKey: encodeTableKey(id),
  });
  const fail = (scope: string, error: unknown) =>
    fromAzureError(error, { dependency: "Table Storage", subject: `${scope} markers` });
  return {
    async claim(scope, id, atMs, note) {
      await ensureTable(table);
      // The SDK resends an insert whose answer was lost; its 409 then names our own row. The token
      // tells that row from another claimant's, so a first claim is never taken for a repeat.
      const claimToken = randomUUID();
      try {
        await table.createEntity({
          ...row(scope, id),
          claimedAtMs: atMs,
          claimToken,
          ...(note === undefined ? {} : { note }),
        });
        return true;
      } catch (error) {
        if (statusOf(error) !== 409) throw fail(scope, error);
      }
      const { partitionKey, rowKey } = row(scope, id);
      try {
        const existing = await table.getEntity<{ claimToken?: string }>(partitionKey, rowKey);
        return existing.claimToken === claimToken;
      } catch (error) {
        // Released between the two calls: someone else claimed it first, all the same.
        if (statusOf(error) === 404) return false;
        throw fail(scope, error);
      }
    },
    async release(scope, id) {
      await ensureTable(table);
      const { partitionKey, rowKey } = row(scope, id);
      try {
        await table.deleteEntity(partitionKey, rowKey);
      } catch (error) {
        if (statusOf(error) !== 404) throw fail(scope, error);
      }
    },
    async isClaimed(scope, id) {
      await ensureTable(table);
      const { partitionKey, rowKey } = row(scope, id);
      try {
        await table.getEntity(partitionKey, rowKey);
        return true;
      } catch (error) {
        if (statusOf(error) === 404) return false;
        throw fail(scope, error);
      }
    },
  };
}
