// What GET /api/overview returns: every bound or discovered key with its live operations.
import type { DurableClient } from "durable-functions";
import { overviewKeys, readKeyOverview, type KeyOverview, type Overview } from "../../lib/overview";
import { keyPathOf, type KeyIdentity } from "../../lib/keys";
import type { Services } from "../../lib/services";
import { runningOperations } from "./runningOperations";

/** Keys read at once: each asks Key Vault, Table Storage, Resource Graph and ARM. */
const KEY_CONCURRENCY = 4;

async function inBatches<T, R>(
  items: readonly T[],
  size: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += size) {
    results.push(...(await Promise.all(items.slice(start, start + size).map(work))));
  }
  return results;
}

/**
 * Needs what each part needs: keys/list on every allow-listed vault, read of the app's tables, Resource
 * Graph and ARM read where discovery searches, and the host's durable client. `nowMs` is the wall clock.
 */
export async function readOverview(
  client: DurableClient,
  services: Services,
  nowMs: number,
): Promise<Overview> {
  const problems: Overview["problems"] = [];
  const { keys, bindings } = await overviewKeys(services, problems);
  const overviewOf = async (key: KeyIdentity): Promise<KeyOverview> => {
    const binding = bindings.get(keyPathOf(key).toLowerCase());
    const [overview, running] = await Promise.all([
      readKeyOverview(services, key, binding, nowMs),
      runningOperations(client, services, key),
    ]);
    return { ...overview, running };
  };
  const keyOverviews = await inBatches(keys, KEY_CONCURRENCY, overviewOf);
  return {
    generatedAt: new Date(nowMs).toISOString(),
    keys: keyOverviews,
    revocationsInEffect: keyOverviews.flatMap((key) => (key.revocation ? [key.revocation] : [])),
    problems,
  };
}
