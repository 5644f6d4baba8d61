// Splits the sweep's starts into 10 s windows so that no window spends more of any Azure limit than its budget.
import { SWEEP_WINDOW_BUDGET, type WindowBudget } from "./limits";
import type { StartCost, SweepStartInput } from "./types";

/** What a start costs when its assessment said nothing: one create for a rotation, nothing for a repair. */
export function costOf(start: SweepStartInput): StartCost {
  return (
    start.cost ?? {
      keyVaultCreates: start.mode === "rotate" ? 1 : 0,
      armReadsBySubscription: {},
      armWritesBySubscription: {},
      storageWrites: 0,
    }
  );
}

/** What one window has spent so far, by limit and scope (vault or subscription, lower case). */
class WindowSpend {
  readonly starts: SweepStartInput[] = [];
  private readonly createsByVault = new Map<string, number>();
  private readonly writesBySubscription = new Map<string, number>();
  private readonly readsBySubscription = new Map<string, number>();
  private storageWrites = 0;

  constructor(private readonly budget: WindowBudget) {}

  fits(start: SweepStartInput, cost: StartCost): boolean {
    // A start bigger than a whole window (a key with hundreds of targets) gets a window of its own.
    if (this.starts.length === 0) return true;
    const vault = start.key.vaultName.toLowerCase();
    if ((this.createsByVault.get(vault) ?? 0) + cost.keyVaultCreates > this.budget.createsPerVault)
      return false;
    if (this.storageWrites + cost.storageWrites > this.budget.storageWrites) return false;
    const within = (spent: Map<string, number>, adds: Record<string, number>, limit: number) =>
      Object.entries(adds).every(([scope, count]) => (spent.get(scope.toLowerCase()) ?? 0) + count <= limit);
    return (
      within(this.writesBySubscription, cost.armWritesBySubscription, this.budget.armWritesPerSubscription) &&
      within(this.readsBySubscription, cost.armReadsBySubscription, this.budget.armReadsPerSubscription)
    );
  }

  add(start: SweepStartInput, cost: StartCost): void {
    this.starts.push(start);
    const vault = start.key.vaultName.toLowerCase();
    this.createsByVault.set(vault, (this.createsByVault.get(vault) ?? 0) + cost.keyVaultCreates);
    this.storageWrites += cost.storageWrites;
    const addAll = (spent: Map<string, number>, adds: Record<string, number>) => {
      for (const [scope, count] of Object.entries(adds))
        spent.set(scope.toLowerCase(), (spent.get(scope.toLowerCase()) ?? 0) + count);
    };
    addAll(this.writesBySubscription, cost.armWritesBySubscription);
    addAll(this.readsBySubscription, cost.armReadsBySubscription);
  }
}

/**
 * Puts each start, in order, in the first window where it fits every budget. Deterministic (same
 * starts, same windows), as the orchestration's replays need.
 */
export function paceByBudget(
  starts: readonly SweepStartInput[],
  budget: WindowBudget = SWEEP_WINDOW_BUDGET,
): SweepStartInput[][] {
  const windows: WindowSpend[] = [];
  for (const start of starts) {
    const cost = costOf(start);
    let window = windows.find((candidate) => candidate.fits(start, cost));
    if (!window) {
      window = new WindowSpend(budget);
      windows.push(window);
    }
    window.add(start, cost);
  }
  return windows.map((window) => window.starts);
}
