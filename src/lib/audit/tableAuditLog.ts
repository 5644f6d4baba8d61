// The audit log in Table Storage, keyed so a key's history reads newest first from one partition.
import { randomUUID } from "node:crypto";
import { odata, type TableClient } from "@azure/data-tables";
import { DomainError, fromAzureError, statusOf } from "../errors";
import { keyPathOf } from "../keys/keyId";
import type { KeyIdentity } from "../keys/types";
import { encodeTableKey, ensureTable, invertedTime } from "../tables";
import { stripSecrets } from "./secretGuard";
import type {
  AuditLog,
  DecisionRecord,
  HistoryEntry,
  KeyChangeRecord,
  RevocationRecord,
  RotationRecord,
  TargetAttempt,
} from "./types";

export const AUDIT_TABLE = "cmkaudit";

/*
 * Row layout (one table, four partition families):
 *   h:<vault/key>   history: one row per rotation/revocation/key change id, RowKey = invertedTime(first startedAt written)_<id>
 *                   (a key change has a row in both keys' partitions, same RowKey; the index names the old key's)
 *   i:<id>          index: RowKey "record", created once, points at the history row (GET by id = two point reads)
 *   t:<operationId> target attempts: RowKey = <resourceId>|<step>|<attempt, zero-padded>
 *   d:<vault/key>   decisions (rejections, duplicates, incidents, retirements), newest first; d:- for no key
 */
const HISTORY = "h:";
const INDEX = "i:";
const ATTEMPTS = "t:";
const DECISIONS = "d:";
const INDEX_ROW = "record";
const NO_KEY = "-";
const MAX_TOP = 1000;

type RecordKind = "rotation" | "revocation" | "keyChange";
type AnyRecord = RotationRecord | RevocationRecord | KeyChangeRecord;

interface RecordEntity {
  partitionKey: string;
  rowKey: string;
  recordKind: RecordKind;
  id: string;
  status: string;
  recordJson: string;
}

interface IndexEntity {
  partitionKey: string;
  rowKey: string;
  recordKind: RecordKind;
  historyPartitionKey: string;
  historyRowKey: string;
}

interface JsonEntity {
  partitionKey: string;
  rowKey: string;
  json: string;
}

function historyPartition(key: KeyIdentity): string {
  return HISTORY + encodeTableKey(keyPathOf(key));
}

function decisionPartition(key: KeyIdentity | undefined): string {
  return DECISIONS + (key ? encodeTableKey(keyPathOf(key)) : NO_KEY);
}

function startedAtMsOf(record: { id: string; startedAt: string }): number {
  const ms = Date.parse(record.startedAt);
  if (Number.isNaN(ms))
    throw new DomainError(
      "InternalError",
      `Record ${record.id} has startedAt "${record.startedAt}", which is not an ISO instant.`,
    );
  return ms;
}

function clampTop(top: number | undefined): number {
  if (top === undefined) return 50;
  return Math.max(1, Math.min(MAX_TOP, Math.floor(top)));
}

/**
 * Table-backed AuditLog. Every row is passed through stripSecrets first, so no field named like a
 * secret and no credential-shaped value is ever written. Needs Storage Table Data Contributor.
 */
export function createTableAuditLog(table: TableClient): AuditLog {
  const fail = (subject: string, error: unknown) =>
    fromAzureError(error, { dependency: "Table Storage", subject });

  const getJson = async <T>(
    partitionKey: string,
    rowKey: string,
    field: "json" | "recordJson",
  ): Promise<T | undefined> => {
    try {
      const entity = await table.getEntity<Record<string, unknown>>(partitionKey, rowKey);
      return JSON.parse(String(entity[field])) as T;
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw fail(`audit row ${partitionKey}`, error);
    }
  };

  /**
   * The history row an operation id lives in: the one its first write chose, kept for every later write.
   * Writers stamp startedAt on their own (the door before the instance starts, the orchestration after),
   * so deriving the row from each write's startedAt would leave one operation in two rows.
   */
  const historyRowOf = async (
    recordKind: RecordKind,
    key: KeyIdentity,
    record: AnyRecord,
  ): Promise<IndexEntity> => {
    const indexKey = INDEX + encodeTableKey(record.id);
    const read = async (): Promise<IndexEntity | undefined> => {
      try {
        return await table.getEntity<IndexEntity>(indexKey, INDEX_ROW);
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    };
    const existing = await read();
    if (existing) return existing;
    const index: IndexEntity = {
      partitionKey: indexKey,
      rowKey: INDEX_ROW,
      recordKind,
      historyPartitionKey: historyPartition(key),
      historyRowKey: `${invertedTime(startedAtMsOf(record))}_${encodeTableKey(record.id)}`,
    };
    try {
      await table.createEntity(index);
      return index;
    } catch (error) {
      // Another writer of the same operation created the index first: its row is the one.
      if (statusOf(error) !== 409) throw error;
      const winner = await read();
      if (!winner) throw error;
      return winner;
    }
  };

  /** `alsoInHistoryOf`: a second key whose history lists the record too (the new key of a key change). */
  const putRecord = async (
    recordKind: RecordKind,
    key: KeyIdentity,
    record: AnyRecord,
    alsoInHistoryOf?: KeyIdentity,
  ): Promise<void> => {
    await ensureTable(table);
    const clean = stripSecrets(record);
    try {
      // The index first: until the history row exists, a GET by id answers "not found", as before any write.
      const index = await historyRowOf(recordKind, key, record);
      const partitions = [
        index.historyPartitionKey,
        ...(alsoInHistoryOf ? [historyPartition(alsoInHistoryOf)] : []),
      ];
      for (const partitionKey of partitions) {
        const entity: RecordEntity = {
          partitionKey,
          rowKey: index.historyRowKey,
          recordKind,
          id: record.id,
          status: record.status,
          recordJson: JSON.stringify(clean),
        };
        await table.upsertEntity(entity, "Replace");
      }
    } catch (error) {
      throw fail(`${recordKind} ${record.id}`, error);
    }
  };

  const getRecord = async <T>(recordKind: RecordKind, id: string): Promise<T | undefined> => {
    await ensureTable(table);
    let index: IndexEntity;
    try {
      index = await table.getEntity<IndexEntity>(INDEX + encodeTableKey(id), INDEX_ROW);
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw fail(`${recordKind} ${id}`, error);
    }
    if (index.recordKind !== recordKind) return undefined;
    return getJson<T>(index.historyPartitionKey, index.historyRowKey, "recordJson");
  };

  const listNewestFirst = async <T>(
    partitionKey: string,
    top: number,
    parse: (entity: Record<string, unknown>) => T,
  ): Promise<T[]> => {
    await ensureTable(table);
    const items: T[] = [];
    try {
      const pages = table
        .listEntities<Record<string, unknown>>({
          queryOptions: { filter: odata`PartitionKey eq ${partitionKey}` },
        })
        .byPage({ maxPageSize: Math.min(top, 1000) });
      for await (const page of pages) {
        for (const entity of page) {
          items.push(parse(entity));
          if (items.length >= top) return items;
        }
      }
    } catch (error) {
      throw fail(`audit partition ${partitionKey}`, error);
    }
    return items;
  };

  return {
    putRotation: (key, record) => putRecord("rotation", key, record),
    getRotation: (id) => getRecord<RotationRecord>("rotation", id),
    putRevocation: (key, record) => putRecord("revocation", key, record),
    getRevocation: (id) => getRecord<RevocationRecord>("revocation", id),
    putKeyChange: (from, to, record) => putRecord("keyChange", from, record, to),
    getKeyChange: (id) => getRecord<KeyChangeRecord>("keyChange", id),

    listHistory(key, options = {}) {
      return listNewestFirst<HistoryEntry>(
        historyPartition(key),
        clampTop(options.top),
        (entity) =>
          ({
            kind: entity.recordKind as RecordKind,
            ...(JSON.parse(String(entity.recordJson)) as AnyRecord),
          }) as HistoryEntry,
      );
    },

    async recordTargetAttempt(attempt) {
      await ensureTable(table);
      const clean = stripSecrets(attempt);
      const entity: JsonEntity = {
        partitionKey: ATTEMPTS + encodeTableKey(attempt.operationId),
        rowKey: `${encodeTableKey(attempt.resourceId.toLowerCase())}|${attempt.step}|${String(attempt.attempt).padStart(4, "0")}`,
        json: JSON.stringify(clean),
      };
      try {
        await table.upsertEntity(entity, "Replace");
      } catch (error) {
        throw fail(`attempt of ${attempt.operationId}`, error);
      }
    },

    async listTargetAttempts(operationId) {
      return listNewestFirst<TargetAttempt>(
        ATTEMPTS + encodeTableKey(operationId),
        MAX_TOP,
        (entity) => JSON.parse(String(entity.json)) as TargetAttempt,
      );
    },

    async recordDecision(decision) {
      await ensureTable(table);
      const clean = stripSecrets(decision);
      const unique = decision.id ?? randomUUID();
      const entity: JsonEntity = {
        partitionKey: decisionPartition(decision.key),
        rowKey: `${invertedTime(decision.atMs)}_${encodeTableKey(unique)}`,
        json: JSON.stringify(clean),
      };
      try {
        await table.upsertEntity(entity, "Replace");
      } catch (error) {
        throw fail(`decision ${decision.reason}`, error);
      }
    },

    listDecisions(key, options = {}) {
      return listNewestFirst<DecisionRecord>(
        decisionPartition(key),
        clampTop(options.top),
        (entity) => JSON.parse(String(entity.json)) as DecisionRecord,
      );
    },
  };
}
