// What changed in a key's drift since the last sweep (no I/O).
import type { DriftItem } from "./driftStore";
import type { ConsumerRow } from "./types";

/** The rows that are not as bound. */
export function driftOf(rows: readonly ConsumerRow[]): DriftItem[] {
  const items: DriftItem[] = [];
  for (const row of rows) {
    if (row.registration === "Registered") continue;
    items.push({ resourceId: row.resourceId, registration: row.registration, detail: row.detail });
  }
  return items;
}

const identityOf = (item: DriftItem) => `${item.registration}|${item.resourceId.toLowerCase()}`;

/** detected: in `now` but not before; resolved: before but not in `now` (same resource, same registration). */
export function driftChanges(
  before: readonly DriftItem[],
  now: readonly DriftItem[],
): { detected: DriftItem[]; resolved: DriftItem[] } {
  const beforeIds = new Set(before.map(identityOf));
  const nowIds = new Set(now.map(identityOf));
  return {
    detected: now.filter((item) => !beforeIds.has(identityOf(item))),
    resolved: before.filter((item) => !nowIds.has(identityOf(item))),
  };
}
