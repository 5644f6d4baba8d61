// Hands out turns: each rotation the earliest moment every limit it spends has room, in order, one window ahead (pure).
import type { LimitModel } from "./limitModel";
import type { WorkCost } from "./workCost";

export interface Turn<T> {
  item: T;
  /** When the work may begin (orchestration time, epoch ms). */
  atMs: number;
}

/**
 * In order, no overtaking: each item's turn is the earliest moment, not before the previous item's,
 * when its whole cost fits the model; the model spends it there. Items whose turn would fall at or
 * after `untilMs` wait for the next window (`rest`), so the sweep can take in fresh headroom first.
 * No overtaking means a big item is never starved by small ones behind it.
 */
export function planTurns<T>(
  model: LimitModel,
  items: readonly T[],
  costOf: (item: T) => WorkCost,
  fromMs: number,
  untilMs: number,
): { turns: Turn<T>[]; rest: T[] } {
  const turns: Turn<T>[] = [];
  let atMs = fromMs;
  for (const [index, item] of items.entries()) {
    const cost = costOf(item);
    const fitsAtMs = model.earliestFit(cost, atMs);
    if (fitsAtMs >= untilMs) return { turns, rest: items.slice(index) };
    model.spend(cost, fitsAtMs);
    turns.push({ item, atMs: fitsAtMs });
    atMs = fitsAtMs;
  }
  return { turns, rest: [] };
}

/**
 * Vault after vault, one key of each in turn (vaults in first-seen order, keys in their order), so
 * that one vault's create window does not hold up the keys of the others queued behind it.
 */
export function takingTurnsAcrossVaults<T>(items: readonly T[], vaultOf: (item: T) => string): T[] {
  const queues = new Map<string, T[]>();
  for (const item of items) {
    const vault = vaultOf(item).toLowerCase();
    const queue = queues.get(vault) ?? [];
    queue.push(item);
    queues.set(vault, queue);
  }
  const ordered: T[] = [];
  for (let round = 0; ordered.length < items.length; round += 1) {
    for (const queue of queues.values()) if (round < queue.length) ordered.push(queue[round]);
  }
  return ordered;
}
