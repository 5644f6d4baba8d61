// The revocation fence: while a key is revoked, nothing may create or re-enable one of its versions.
import type { TableClient } from "@azure/data-tables";
import { fromAzureError, statusOf } from "../errors";
import { encodeTableKey, ensureTable } from "../tables";
import { keyPathOf } from "./keyId";
import type { KeyIdentity } from "./types";

export const FENCES_TABLE = "cmkfences";
const FENCE_ROW = "fence";

export interface KeyFence {
  revocationId: string;
  raisedAtMs: number;
}

/**
 * Raised by revocation before it stops a running rotation and disables versions; lowered by
 * restore. The Key Vault gateway checks it right before creating or re-enabling a version, so a
 * rotation activity that was already running cannot undo a revocation.
 */
export interface KeyFenceStore {
  /** Raises (or replaces) the fence of a key. */
  raise(key: KeyIdentity, revocationId: string, atMs: number): Promise<void>;
  /** Lowers the fence if it belongs to this revocation; true when it did. */
  lower(key: KeyIdentity, revocationId: string): Promise<boolean>;
  /** The key's fence, or undefined when none is up. */
  get(key: KeyIdentity): Promise<KeyFence | undefined>;
}

interface FenceEntity {
  partitionKey: string;
  rowKey: string;
  revocationId: string;
  raisedAtMs: number;
}

/** Table-backed fences. Needs Storage Table Data Contributor. */
export function createTableKeyFenceStore(table: TableClient): KeyFenceStore {
  const partitionOf = (key: KeyIdentity) => encodeTableKey(keyPathOf(key));
  const fail = (key: KeyIdentity, error: unknown) =>
    fromAzureError(error, { dependency: "Table Storage", subject: `fence of ${keyPathOf(key)}` });

  const get = async (key: KeyIdentity): Promise<KeyFence | undefined> => {
    await ensureTable(table);
    try {
      const entity = await table.getEntity<FenceEntity>(partitionOf(key), FENCE_ROW);
      return { revocationId: entity.revocationId, raisedAtMs: Number(entity.raisedAtMs) };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw fail(key, error);
    }
  };

  return {
    async raise(key, revocationId, atMs) {
      await ensureTable(table);
      const entity: FenceEntity = {
        partitionKey: partitionOf(key),
        rowKey: FENCE_ROW,
        revocationId,
        raisedAtMs: atMs,
      };
      try {
        await table.upsertEntity(entity, "Replace");
      } catch (error) {
        throw fail(key, error);
      }
    },
    async lower(key, revocationId) {
      const fence = await get(key);
      if (!fence || fence.revocationId !== revocationId) return false;
      try {
        await table.deleteEntity(partitionOf(key), FENCE_ROW);
      } catch (error) {
        if (statusOf(error) !== 404) throw fail(key, error);
      }
      return true;
    },
    get,
  };
}
