// The bindings registry in Table Storage: one row per key (PartitionKey vault, RowKey key name, both lower-case).
import type { TableClient, TableEntityResult } from "@azure/data-tables";
import { DomainError, fromAzureError, statusOf } from "../errors";
import type { KeyIdentity } from "../keys/types";
import { encodeTableKey, ensureTable } from "../tables";
import type { BindingStore, BindingTarget, KeyBinding, RotationPolicy } from "./types";

export const BINDINGS_TABLE = "cmkbindings";

interface BindingEntity {
  partitionKey: string;
  rowKey: string;
  vaultName: string;
  keyName: string;
  targetsJson: string;
  policyJson: string;
  updatedAtMs: number;
}

function rowOf(key: KeyIdentity): { partitionKey: string; rowKey: string } {
  return {
    partitionKey: encodeTableKey(key.vaultName.toLowerCase()),
    rowKey: encodeTableKey(key.keyName.toLowerCase()),
  };
}

function fromEntity(entity: TableEntityResult<BindingEntity>): KeyBinding {
  try {
    return {
      key: { vaultName: entity.vaultName, keyName: entity.keyName },
      targets: JSON.parse(entity.targetsJson) as BindingTarget[],
      policy: JSON.parse(entity.policyJson) as RotationPolicy,
      updatedAtMs: Number(entity.updatedAtMs),
    };
  } catch (error) {
    throw new DomainError(
      "InternalError",
      `Binding row ${entity.partitionKey}/${entity.rowKey} is corrupt.`,
      { cause: error },
    );
  }
}

/**
 * Table-backed BindingStore. `nowMs` stamps updatedAtMs (wall clock by default; the sandbox passes
 * its virtual clock). Needs Storage Table Data Contributor on AzureWebJobsStorage.
 */
export function createTableBindingStore(table: TableClient, nowMs: () => number = Date.now): BindingStore {
  const fail = (subject: string, error: unknown) =>
    fromAzureError(error, { dependency: "Table Storage", subject, notFoundCode: "BindingNotFound" });

  return {
    async get(key) {
      await ensureTable(table);
      const { partitionKey, rowKey } = rowOf(key);
      try {
        return fromEntity(await table.getEntity<BindingEntity>(partitionKey, rowKey));
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw fail(`binding of ${key.vaultName}/${key.keyName}`, error);
      }
    },

    async put(binding) {
      await ensureTable(table);
      const stored: KeyBinding = { ...binding, updatedAtMs: nowMs() };
      const entity: BindingEntity = {
        ...rowOf(binding.key),
        vaultName: binding.key.vaultName,
        keyName: binding.key.keyName,
        targetsJson: JSON.stringify(binding.targets),
        policyJson: JSON.stringify(binding.policy),
        updatedAtMs: stored.updatedAtMs,
      };
      try {
        await table.upsertEntity(entity, "Replace");
      } catch (error) {
        throw fail(`binding of ${binding.key.vaultName}/${binding.key.keyName}`, error);
      }
      return stored;
    },

    async delete(key) {
      await ensureTable(table);
      const { partitionKey, rowKey } = rowOf(key);
      try {
        await table.deleteEntity(partitionKey, rowKey);
        return true;
      } catch (error) {
        if (statusOf(error) === 404) return false;
        throw fail(`binding of ${key.vaultName}/${key.keyName}`, error);
      }
    },

    async list() {
      await ensureTable(table);
      const bindings: KeyBinding[] = [];
      try {
        for await (const entity of table.listEntities<BindingEntity>()) bindings.push(fromEntity(entity));
      } catch (error) {
        throw fail("bindings", error);
      }
      return bindings;
    },
  };
}
