// The key-change mark on both keys of a change: holds rotations off while it runs and keeps the old key's versions.
import type { TableClient } from "@azure/data-tables";
import { fromAzureError, statusOf } from "../errors";
import { encodeTableKey, ensureTable } from "../tables";
import { keyPathOf } from "./keyId";
import type { KeyIdentity } from "./types";

const MARK_ROW = "keyChange";

/** Written on both keys when a change starts, kept after it ends (the old key's retention date lives here). */
export interface KeyChangeMark {
  changeId: string;
  /** The changeKey instance: while it is active, rotations of either key are held off. */
  instanceId: string;
  /** "from": this key is being replaced; "to": it replaces another key. */
  role: "from" | "to";
  /** Old key only: none of its versions may be retired before this (epoch ms). */
  retirableAfterMs?: number;
}

interface MarkEntity extends KeyChangeMark {
  partitionKey: string;
  rowKey: string;
}

/** One row per key beside its revocation fence. Needs Storage Table Data Contributor. */
export interface KeyChangeMarkStore {
  put(key: KeyIdentity, mark: KeyChangeMark): Promise<void>;
  /** The key's mark, or undefined when no change ever touched it. */
  get(key: KeyIdentity): Promise<KeyChangeMark | undefined>;
}

/** Table-backed marks, in the fences table (same partition per key). */
export function createTableKeyChangeMarkStore(table: TableClient): KeyChangeMarkStore {
  const partitionOf = (key: KeyIdentity) => encodeTableKey(keyPathOf(key));
  const fail = (key: KeyIdentity, error: unknown) =>
    fromAzureError(error, { dependency: "Table Storage", subject: `key change mark of ${keyPathOf(key)}` });
  return {
    async put(key, mark) {
      await ensureTable(table);
      const entity: MarkEntity = { partitionKey: partitionOf(key), rowKey: MARK_ROW, ...mark };
      try {
        await table.upsertEntity(entity, "Replace");
      } catch (error) {
        throw fail(key, error);
      }
    },
    async get(key) {
      await ensureTable(table);
      try {
        const entity = await table.getEntity<MarkEntity>(partitionOf(key), MARK_ROW);
        return {
          changeId: entity.changeId,
          instanceId: entity.instanceId,
          role: entity.role,
          ...(entity.retirableAfterMs === undefined
            ? {}
            : { retirableAfterMs: Number(entity.retirableAfterMs) }),
        };
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw fail(key, error);
      }
    },
  };
}

/** Marks both keys of a change: the old one "from" (with its retention date once known), the new one "to". */
export async function markKeyPair(
  marks: KeyChangeMarkStore,
  pair: { from: KeyIdentity; to: KeyIdentity },
  mark: { changeId: string; instanceId: string; retirableAfterMs?: number },
): Promise<void> {
  const { retirableAfterMs, ...common } = mark;
  await marks.put(pair.from, {
    ...common,
    role: "from",
    ...(retirableAfterMs === undefined ? {} : { retirableAfterMs }),
  });
  await marks.put(pair.to, { ...common, role: "to" });
}
