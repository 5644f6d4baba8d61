// The sweep's pacing: every window stays within each Azure limit's budget (creates per vault, ARM per subscription, Storage writes).
import { describe, expect, it } from "vitest";
import { deterministicRotationId } from "../../../src/starters/rotations/startRotation";
import {
  ARM_WRITES_PER_SUBSCRIPTION_PER_WINDOW,
  ROTATIONS_PER_VAULT_PER_WINDOW,
  STORAGE_WRITES_PER_WINDOW,
  SWEEP_WINDOW_BUDGET,
} from "../../../src/orchestrations/sweepKeys/limits";
import { costOf, paceByBudget } from "../../../src/orchestrations/sweepKeys/paceByBudget";
import type { StartCost, SweepStartInput } from "../../../src/orchestrations/sweepKeys/types";

const SUB_A = "00000000-0000-0000-0000-00000000000a";
const SUB_B = "00000000-0000-0000-0000-00000000000b";

const start = (
  vaultName: string,
  keyName: string,
  action: "Rotate" | "RepairDrift",
  cost?: StartCost,
): SweepStartInput => ({
  key: { vaultName, keyName },
  action,
  trigger: "ScheduledSweep",
  mode: action === "Rotate" ? "rotate" : "propagate",
  reason: "test",
  rotationId: `${vaultName}.${keyName}`,
  ...(cost ? { cost } : {}),
});

const storageCost = (subscription: string, accounts: number, creates = 1): StartCost => ({
  keyVaultCreates: creates,
  armReadsBySubscription: { [subscription]: accounts * 3 },
  armWritesBySubscription: { [subscription]: accounts },
  storageWrites: accounts,
});

function spend(window: SweepStartInput[]) {
  const creates = new Map<string, number>();
  const writes = new Map<string, number>();
  const reads = new Map<string, number>();
  let storage = 0;
  for (const item of window) {
    const cost = costOf(item);
    creates.set(item.key.vaultName, (creates.get(item.key.vaultName) ?? 0) + cost.keyVaultCreates);
    for (const [sub, n] of Object.entries(cost.armWritesBySubscription))
      writes.set(sub, (writes.get(sub) ?? 0) + n);
    for (const [sub, n] of Object.entries(cost.armReadsBySubscription))
      reads.set(sub, (reads.get(sub) ?? 0) + n);
    storage += cost.storageWrites;
  }
  return {
    creates: Math.max(0, ...creates.values()),
    writes: Math.max(0, ...writes.values()),
    reads: Math.max(0, ...reads.values()),
    storage,
  };
}

describe("paceByBudget", () => {
  it("spreads rotations of one vault over windows and keeps other vaults and repairs in the first", () => {
    const starts = [
      ...Array.from({ length: ROTATIONS_PER_VAULT_PER_WINDOW * 2 + 1 }, (_, index) =>
        start("kv1", `k${index}`, "Rotate"),
      ),
      start("kv2", "a", "Rotate"),
      start("kv1", "drifted", "RepairDrift"),
    ];
    const windows = paceByBudget(starts);
    expect(windows).toHaveLength(3);
    for (const window of windows) {
      expect(
        window.filter((item) => item.key.vaultName === "kv1" && item.mode === "rotate").length,
      ).toBeLessThanOrEqual(ROTATIONS_PER_VAULT_PER_WINDOW);
    }
    expect(windows[0].map((item) => item.key.keyName)).toEqual(expect.arrayContaining(["a", "drifted"]));
    expect(windows.flat()).toHaveLength(starts.length);
  });

  it("holds Storage's provider writes and ARM writes per subscription, whatever the vaults", () => {
    // 8 vaults, 3 pinned accounts per key: creates alone would allow 40 starts a window.
    const starts = Array.from({ length: 80 }, (_, index) =>
      start(`kv${index % 8}`, `k${index}`, "Rotate", storageCost(SUB_A, 3)),
    );
    const windows = paceByBudget(starts);
    for (const window of windows) {
      const spent = spend(window);
      expect(spent.storage).toBeLessThanOrEqual(STORAGE_WRITES_PER_WINDOW);
      expect(spent.writes).toBeLessThanOrEqual(ARM_WRITES_PER_SUBSCRIPTION_PER_WINDOW);
      expect(spent.reads).toBeLessThanOrEqual(SWEEP_WINDOW_BUDGET.armReadsPerSubscription);
      expect(spent.creates).toBeLessThanOrEqual(ROTATIONS_PER_VAULT_PER_WINDOW);
    }
    // ARM reads (3 per pinned account) bind before Storage's writes do.
    expect(windows[0]).toHaveLength(
      Math.min(
        Math.floor(STORAGE_WRITES_PER_WINDOW / 3),
        Math.floor(SWEEP_WINDOW_BUDGET.armReadsPerSubscription / 9),
      ),
    );
    expect(windows.flat()).toHaveLength(starts.length);
  });

  it("counts ARM writes per subscription: a second subscription has its own budget", () => {
    const budget = { ...SWEEP_WINDOW_BUDGET, storageWrites: 1_000, armReadsPerSubscription: 1_000 };
    const starts = [
      ...Array.from({ length: 10 }, (_, index) =>
        start(`kv${index}`, "a", "RepairDrift", storageCost(SUB_A, 10, 0)),
      ),
      ...Array.from({ length: 5 }, (_, index) =>
        start(`kv${index}`, "b", "RepairDrift", storageCost(SUB_B, 10, 0)),
      ),
    ];
    const windows = paceByBudget(starts, budget);
    expect(windows[0].filter((item) => item.key.keyName === "a")).toHaveLength(5);
    expect(windows[0].filter((item) => item.key.keyName === "b")).toHaveLength(5);
    expect(windows).toHaveLength(2);
  });

  it("gives a start larger than a whole window a window of its own", () => {
    const windows = paceByBudget([
      start("kv1", "small", "Rotate", storageCost(SUB_A, 1)),
      start("kv1", "huge", "Rotate", storageCost(SUB_A, 200)),
      start("kv1", "small2", "Rotate", storageCost(SUB_A, 1)),
    ]);
    expect(windows.map((window) => window.map((item) => item.key.keyName))).toEqual([
      ["small", "small2"],
      ["huge"],
    ]);
  });

  it("returns no window for nothing to start", () => {
    expect(paceByBudget([])).toEqual([]);
  });
});

describe("deterministicRotationId", () => {
  it("is the same for the same cause and table-safe", () => {
    const id = deterministicRotationId("KeyNearExpiry", "KV1", "cmk/x", "ab12");
    expect(id).toBe(deterministicRotationId("KeyNearExpiry", "kv1", "cmk/x", "AB12"));
    expect(id).toMatch(/^[0-9a-z.-]+$/);
  });
});
