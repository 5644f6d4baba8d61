// Discovery: what really uses a key, found with Resource Graph across subscriptions and confirmed with ARM.
import type { BindingTarget } from "../bindings/types";
import type { ConsumerRegistry } from "../consumers/registry";
import { CONSUMER_KINDS, consumerSpec } from "../consumers/registry";
import type { ConsumerKind } from "../consumers/types";
import { isDomainError } from "../errors";
import type { VaultAllowList } from "../keys/keyId";
import type { KeyIdentity } from "../keys/types";
import { classifyConsumers, modeOfReference } from "./classifyConsumers";
import {
  QUERY_OF_KIND,
  VAULTS_QUERY_OF_KIND,
  keyNameOfRow,
  referenceOfRow,
  type KeyFilter,
  type VaultFilter,
} from "./consumerQueries";
import { GraphQuotaGate, readAllRows, type GateOptions, type ReadGraphPage } from "./resourceGraphPages";
import type { BoundTargetRead, ConsumerRow, DiscoveryScopes, FoundConsumer } from "./types";

export interface DiscoveryDeps {
  readPage: ReadGraphPage;
  consumers: ConsumerRegistry;
  allowList: VaultAllowList;
  scopes: DiscoveryScopes;
  gate?: GateOptions;
}

/** A discovered consumer and the key it uses (a vault-wide search finds several keys). */
export type FoundKeyConsumer = FoundConsumer & { keyName: string };

/** A discovered consumer, the vault (allow-listed spelling) and the key it uses. */
export type FoundVaultConsumer = FoundKeyConsumer & { vaultName: string };

export interface ConsumerDiscovery {
  /**
   * Every storage account and enterprise policy using the key (without keyName: any key of the
   * vault), in every scope of CMK_DISCOVERY_SCOPES (default: every subscription the identity can
   * read), as Resource Graph shows them. Resource Graph is near-real-time: nothing is written on
   * its word alone. Every write reads the resource with an ARM GET first (the consumers'
   * applyVersion does), and a bound target is always read from ARM. Not confirming every row here
   * keeps an estate-wide discovery inside ARM's 25 reads/s per principal. Needs read on storage
   * accounts and enterprise policies at those scopes (the discovery reader role).
   */
  find(filter: { vaultName: string; keyName?: string }): Promise<FoundKeyConsumer[]>;
  /**
   * What `find` answers for every key of several vaults at once, in one query per consumer kind (and
   * its pages): a sweep over hundreds of keys spends two of Resource Graph's 15 queries per 5 s, not
   * two per key. Needs what find needs.
   */
  findInVaults(vaultNames: readonly string[]): Promise<FoundVaultConsumer[]>;
  /**
   * Bound targets (each read with an ARM GET) and discovered consumers side by side. Needs what find
   * needs. `found`: what a recent `findInVaults` found using the key, instead of querying again.
   */
  consumersOf(
    key: KeyIdentity,
    targets: readonly BindingTarget[],
    found?: readonly FoundConsumer[],
  ): Promise<ConsumerRow[]>;
}

/** ARM GETs in flight at once while confirming (ARM allows 25 reads/s per principal). */
const CONFIRM_CONCURRENCY = 8;

async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** A resource ARM no longer shows, or no longer shows with a Key Vault key: absent, not a failure. */
const isAbsence = (error: unknown) =>
  isDomainError(error, "ResourceNotFound") || isDomainError(error, "TargetMismatch");

export function createConsumerDiscovery(deps: DiscoveryDeps): ConsumerDiscovery {
  const gate = new GraphQuotaGate(deps.gate);

  const candidatesOf = async (kind: ConsumerKind, filter: KeyFilter) => {
    const rows = await readAllRows(deps.readPage, QUERY_OF_KIND[kind](filter), deps.scopes, gate);
    const candidates: Array<{ resourceId: string; keyName: string; row: unknown }> = [];
    for (const row of rows) {
      const resourceId = (row as { id?: unknown }).id;
      const keyName = keyNameOfRow(kind, row, filter);
      if (typeof resourceId !== "string" || !keyName) continue;
      if (consumerSpec(kind).resourceIdProblem(resourceId) !== undefined) continue;
      candidates.push({ resourceId, keyName, row });
    }
    return candidates;
  };

  const findInVaults: ConsumerDiscovery["findInVaults"] = async (vaultNames) => {
    const vaults: VaultFilter[] = vaultNames.map((vaultName) => ({
      vaultName,
      vaultUrl: deps.allowList.urlOf(vaultName),
    }));
    const found: FoundVaultConsumer[] = [];
    if (vaults.length === 0) return found;
    for (const kind of CONSUMER_KINDS) {
      const rows = await readAllRows(deps.readPage, VAULTS_QUERY_OF_KIND[kind](vaults), deps.scopes, gate);
      for (const row of rows) {
        const resourceId = (row as { id?: unknown }).id;
        if (typeof resourceId !== "string" || consumerSpec(kind).resourceIdProblem(resourceId) !== undefined)
          continue;
        // The query's `contains` is loose; the row's exact vault decides (and a row names one vault).
        for (const vault of vaults) {
          const keyName = keyNameOfRow(kind, row, vault);
          if (!keyName) continue;
          const reference = referenceOfRow(kind, row, keyName);
          found.push({
            vaultName: vault.vaultName,
            kind,
            resourceId,
            keyName,
            mode: modeOfReference(reference),
            reference,
          });
          break;
        }
      }
    }
    return found;
  };

  const find: ConsumerDiscovery["find"] = async ({ vaultName, keyName }) => {
    const vaultUrl = deps.allowList.urlOf(vaultName);
    const filter: KeyFilter = { vaultName, vaultUrl, ...(keyName ? { keyName } : {}) };
    const found: FoundKeyConsumer[] = [];
    for (const kind of CONSUMER_KINDS) {
      for (const candidate of await candidatesOf(kind, filter)) {
        const reference = referenceOfRow(kind, candidate.row, candidate.keyName);
        found.push({
          kind,
          resourceId: candidate.resourceId,
          keyName: candidate.keyName,
          mode: modeOfReference(reference),
          reference,
        });
      }
    }
    return found;
  };

  const readBound = async (target: BindingTarget): Promise<BoundTargetRead> => {
    try {
      return { target, reference: await deps.consumers.get(target.kind).readCurrentReference(target) };
    } catch (error) {
      if (isAbsence(error)) return { target, gone: (error as Error).message };
      throw error;
    }
  };

  return {
    find,
    findInVaults,
    async consumersOf(key, targets, alreadyFound) {
      const [found, bound] = await Promise.all([
        alreadyFound ?? find(key),
        mapLimited(targets, CONFIRM_CONCURRENCY, readBound),
      ]);
      return classifyConsumers(key, deps.allowList.urlOf(key.vaultName), bound, found);
    },
  };
}
