// The drift a key showed at the last sweep, so a new drift is recorded once, not on every sweep.
import type { TableClient } from "@azure/data-tables";
import { fromAzureError, statusOf } from "../errors";
import { keyPathOf } from "../keys/keyId";
import type { KeyIdentity } from "../keys/types";
import { encodeTableKey, ensureTable } from "../tables";
import type { Registration } from "./types";

export const DRIFT_TABLE = "cmkdrift";
const DRIFT_ROW = "open";

/** One consumer that is not as bound: Unregistered, Missing or Mismatch. */
export interface DriftItem {
  resourceId: string;
  registration: Exclude<Registration, "Registered">;
  detail: string;
}

export interface DriftStore {
  /** The drift recorded for the key at its last sweep (empty when none). */
  get(key: KeyIdentity): Promise<DriftItem[]>;
  /** Replaces it. */
  put(key: KeyIdentity, items: readonly DriftItem[], atMs: number): Promise<void>;
}

interface DriftEntity {
  partitionKey: string;
  rowKey: string;
  items: string;
  atMs: number;
}

/** Table-backed drift state. Needs Storage Table Data Contributor. */
export function createTableDriftStore(table: TableClient): DriftStore {
  const partitionOf = (key: KeyIdentity) => encodeTableKey(keyPathOf(key));
  const fail = (key: KeyIdentity, error: unknown) =>
    fromAzureError(error, { dependency: "Table Storage", subject: `drift of ${keyPathOf(key)}` });
  return {
    async get(key) {
      await ensureTable(table);
      try {
        const entity = await table.getEntity<DriftEntity>(partitionOf(key), DRIFT_ROW);
        return JSON.parse(entity.items) as DriftItem[];
      } catch (error) {
        if (statusOf(error) === 404) return [];
        throw fail(key, error);
      }
    },
    async put(key, items, atMs) {
      await ensureTable(table);
      const entity: DriftEntity = {
        partitionKey: partitionOf(key),
        rowKey: DRIFT_ROW,
        items: JSON.stringify(items),
        atMs,
      };
      try {
        await table.upsertEntity(entity, "Replace");
      } catch (error) {
        throw fail(key, error);
      }
    },
  };
}
