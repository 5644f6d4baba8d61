// Creates a table once per process before first use (createTable is idempotent but costs a round trip).
import type { TableClient } from "@azure/data-tables";
import { fromAzureError } from "../errors";

const ready = new WeakMap<TableClient, Promise<void>>();

/** Resolves when the table exists. Needs Storage Table Data Contributor. */
export function ensureTable(table: TableClient): Promise<void> {
  let pending = ready.get(table);
  if (!pending) {
    pending = table.createTable().catch((error: unknown) => {
      ready.delete(table);
      throw fromAzureError(error, { dependency: "Table Storage", subject: `table ${table.tableName}` });
    });
    ready.set(table, pending);
  }
  return pending;
}
