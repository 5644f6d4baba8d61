// Sweep summaries in the audit table, one row per sweep id (partition s:<id>).
import type { TableClient } from "@azure/data-tables";
import { stripSecrets } from "../audit/secretGuard";
import { fromAzureError, statusOf } from "../errors";
import { encodeTableKey, ensureTable } from "../tables";
import type { SweepRecord, SweepStore } from "./types";

const SWEEPS = "s:";
const RECORD_ROW = "record";

interface SweepEntity {
  partitionKey: string;
  rowKey: string;
  status: string;
  recordJson: string;
}

export function createTableSweepStore(table: TableClient): SweepStore {
  const fail = (id: string, error: unknown) =>
    fromAzureError(error, { dependency: "Table Storage", subject: `sweep ${id}` });
  return {
    async put(record) {
      await ensureTable(table);
      const entity: SweepEntity = {
        partitionKey: SWEEPS + encodeTableKey(record.id),
        rowKey: RECORD_ROW,
        status: record.status,
        recordJson: JSON.stringify(stripSecrets(record)),
      };
      try {
        await table.upsertEntity(entity, "Replace");
      } catch (error) {
        throw fail(record.id, error);
      }
    },
    async get(id) {
      await ensureTable(table);
      try {
        const entity = await table.getEntity<SweepEntity>(SWEEPS + encodeTableKey(id), RECORD_ROW);
        return JSON.parse(String(entity.recordJson)) as SweepRecord;
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw fail(id, error);
      }
    },
  };
}
