// Short leases in Table Storage: one holder at a time across every worker, the row's ETag as the arbiter.
import type { TableClient } from "@azure/data-tables";
import { fromAzureError, statusOf } from "../errors";
import { encodeTableKey } from "./tableKeys";
import { ensureTable } from "./ensureTable";

/** Leases share the once table, in a partition of their own. */
const LEASE_PARTITION = "lease";

export type LeaseOutcome =
  { isHeld: true; release(): Promise<void> } | { isHeld: false; holder: string; expiresAtMs: number };

export interface LeaseStore {
  /**
   * Takes lease `name` for `holder` until `nowMs + durationMs`, unless someone else holds it and it
   * has not expired. A conditional insert takes a free lease; an expired one is taken over with an
   * ETag-matched replace, so of two workers racing for it exactly one wins. `release()` gives it back
   * (only if it is still ours); a holder that dies lets it expire.
   */
  acquire(name: string, holder: string, durationMs: number, nowMs: number): Promise<LeaseOutcome>;
}

interface LeaseEntity {
  partitionKey: string;
  rowKey: string;
  holder: string;
  expiresAtMs: number;
}

/** Table-backed LeaseStore. Needs Storage Table Data Contributor. */
export function createTableLeaseStore(table: TableClient): LeaseStore {
  const fail = (name: string, error: unknown) =>
    fromAzureError(error, { dependency: "Table Storage", subject: `lease ${name}` });

  const held = (name: string, rowKey: string, etag: string | undefined): LeaseOutcome => ({
    isHeld: true,
    async release() {
      try {
        await table.deleteEntity(LEASE_PARTITION, rowKey, etag ? { etag } : {});
      } catch (error) {
        // Gone (404) or taken over after it expired (412): not ours to give back any more.
        const status = statusOf(error);
        if (status !== 404 && status !== 412) throw fail(name, error);
      }
    },
  });

  const readHolder = async (name: string, rowKey: string) => {
    try {
      return await table.getEntity<LeaseEntity>(LEASE_PARTITION, rowKey);
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw fail(name, error);
    }
  };

  return {
    async acquire(name, holder, durationMs, nowMs) {
      await ensureTable(table);
      const rowKey = encodeTableKey(name);
      const entity: LeaseEntity = {
        partitionKey: LEASE_PARTITION,
        rowKey,
        holder,
        expiresAtMs: nowMs + durationMs,
      };
      for (let attempt = 0; attempt < 3; attempt += 1) {
        try {
          const created = await table.createEntity(entity);
          return held(name, rowKey, created.etag);
        } catch (error) {
          if (statusOf(error) !== 409) throw fail(name, error);
        }
        const current = await readHolder(name, rowKey);
        if (!current) continue; // released between our insert and our read: try the insert again
        if (current.expiresAtMs > nowMs)
          return { isHeld: false, holder: current.holder, expiresAtMs: current.expiresAtMs };
        try {
          const replaced = await table.updateEntity(entity, "Replace", { etag: current.etag });
          return held(name, rowKey, replaced.etag);
        } catch (error) {
          if (statusOf(error) !== 412 && statusOf(error) !== 404) throw fail(name, error);
        }
      }
      const winner = await readHolder(name, rowKey);
      return {
        isHeld: false,
        holder: winner?.holder ?? "unknown",
        expiresAtMs: winner?.expiresAtMs ?? nowMs,
      };
    },
  };
}
