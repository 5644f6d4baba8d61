// Turns for a fleet: in order, across vaults, within every limit; what each rotation is charged; a whole estate against Azure's buckets.
import { describe, expect, it } from "vitest";
import { AZURE_LIMITS, SWEEP_MARGIN, TURN_WINDOW_MS } from "../../../../src/orchestrations/sweepKeys/limits";
import { LimitModel } from "../../../../src/orchestrations/sweepKeys/limitModel";
import { planTurns, takingTurnsAcrossVaults } from "../../../../src/orchestrations/sweepKeys/planTurns";
import {
  assessmentCost,
  driftCheckCost,
  rotationCost,
  sumOfCosts,
  type CostedTarget,
  type WorkCost,
} from "../../../../src/orchestrations/sweepKeys/workCost";

const SUB = "00000000-0000-4000-8000-00000000000a";
const T0 = Date.parse("2026-12-01T00:00:00Z");
const account = (name: string, mode: "pinned" | "versionless" = "pinned", sub = SUB): CostedTarget => ({
  kind: "storageAccount",
  mode,
  resourceId: `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/${name}`,
});
const policy = (mode: "pinned" | "versionless"): CostedTarget => ({
  kind: "powerPlatformPolicy",
  mode,
  resourceId: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.PowerPlatform/enterprisePolicies/ep`,
});

interface Work {
  vaultName: string;
  keyName: string;
  cost: WorkCost;
}

/** `keys` keys over `vaults` vaults (listed vault by vault, as the bindings table lists them), each bound to 3 pinned accounts. */
function fleet(keys: number, vaults: number): Work[] {
  return Array.from({ length: keys }, (_, index) => {
    const vaultName = `kv${Math.floor(index / (keys / vaults))}`;
    return {
      vaultName,
      keyName: `k${index}`,
      cost: rotationCost({
        vaultName,
        isNewVersion: true,
        targets: [0, 1, 2].map((target) => account(`st${index}x${target}`)),
      }),
    };
  });
}

/** Plans window after window, as the sweep does, until every item has a turn. */
function planAll(model: LimitModel, items: Work[]): { item: Work; atMs: number }[] {
  const all: { item: Work; atMs: number }[] = [];
  let waiting = takingTurnsAcrossVaults(items, (item) => item.vaultName);
  let windowMs = T0;
  while (waiting.length > 0) {
    const { turns, rest } = planTurns(
      model,
      waiting,
      (item) => item.cost,
      windowMs,
      windowMs + TURN_WINDOW_MS,
    );
    all.push(...turns);
    waiting = rest;
    windowMs += TURN_WINDOW_MS;
  }
  return all;
}

describe("what a rotation is charged", () => {
  it("counts a create in its vault and each target's ARM reads, writes and Storage writes by subscription", () => {
    const other = "00000000-0000-4000-8000-00000000000b";
    const cost = rotationCost({
      vaultName: "KV1",
      isNewVersion: true,
      targets: [account("a"), account("b", "versionless"), account("c", "pinned", other), policy("pinned")],
    });
    expect(cost.charges).toEqual(
      expect.arrayContaining([
        { limit: "keyVaultCreates", scope: "kv1", count: 1 },
        { limit: "armReads", scope: SUB, count: 2 + 2 + 3 },
        { limit: "armWrites", scope: SUB, count: 2 },
        { limit: "storageWrites", scope: SUB, count: 1 },
        { limit: "armReads", scope: other, count: 2 },
        { limit: "storageWrites", scope: other, count: 1 },
      ]),
    );
    expect(cost.charges.every((charge) => charge.count > 0)).toBe(true);
  });

  it("charges an HSM key's create to the HSM window and a drift repair no create", () => {
    expect(
      rotationCost({ vaultName: "kv1", isNewVersion: true, isHsmKey: true, targets: [] }).charges,
    ).toEqual([{ limit: "keyVaultHsmCreates", scope: "kv1", count: 1 }]);
    expect(
      rotationCost({ vaultName: "kv1", isNewVersion: false, targets: [account("a")] }).charges.map(
        (c) => c.limit,
      ),
    ).not.toContain("keyVaultCreates");
  });

  it("charges an assessment a read per pinned target and a drift check a read per target", () => {
    const targets = [account("a"), account("b", "versionless")];
    expect(assessmentCost(targets).charges).toEqual([{ limit: "armReads", scope: SUB, count: 1 }]);
    expect(driftCheckCost(targets).charges).toEqual([{ limit: "armReads", scope: SUB, count: 2 }]);
    expect(sumOfCosts([assessmentCost(targets), driftCheckCost(targets)]).charges).toEqual([
      { limit: "armReads", scope: SUB, count: 3 },
    ]);
  });
});

describe("takingTurnsAcrossVaults", () => {
  it("alternates vaults in first-seen order and keeps each vault's order", () => {
    const items = ["a1", "a2", "a3", "b1", "c1", "c2"].map((name) => ({ vault: name[0], name }));
    expect(takingTurnsAcrossVaults(items, (item) => item.vault).map((item) => item.name)).toEqual([
      "a1",
      "b1",
      "c1",
      "a2",
      "c2",
      "a3",
    ]);
  });
});

describe("planTurns", () => {
  it("hands out turns in order and leaves the rest for the next window", () => {
    const model = new LimitModel();
    const items = fleet(30, 1);
    const { turns, rest } = planTurns(model, items, (item) => item.cost, T0, T0 + TURN_WINDOW_MS);
    expect(turns.map((turn) => turn.item)).toEqual(items.slice(0, turns.length));
    expect(rest).toEqual(items.slice(turns.length));
    for (let index = 1; index < turns.length; index += 1)
      expect(turns[index].atMs).toBeGreaterThanOrEqual(turns[index - 1].atMs);
    expect(turns.every((turn) => turn.atMs < T0 + TURN_WINDOW_MS)).toBe(true);
  });

  it("never lets a small item overtake one that waits", () => {
    const model = new LimitModel();
    const big = {
      vaultName: "kv1",
      keyName: "big",
      cost: rotationCost({
        vaultName: "kv1",
        isNewVersion: true,
        targets: Array.from({ length: 20 }, (_, i) => account(`b${i}`)),
      }),
    };
    const small = {
      vaultName: "kv2",
      keyName: "small",
      cost: rotationCost({ vaultName: "kv2", isNewVersion: true, targets: [account("s")] }),
    };
    model.spend({ charges: [{ limit: "storageWrites", scope: SUB, count: 5 }] }, T0);
    const { turns } = planTurns(model, [big, small], (item) => item.cost, T0, T0 + TURN_WINDOW_MS);
    expect(turns.map((turn) => turn.item.keyName)).toEqual(["big", "small"]);
    expect(turns[1].atMs).toBeGreaterThan(turns[0].atMs);
  });

  it("paces 240 keys in 8 vaults with 3 pinned accounts each within 7 % of what Storage's provider writes allow", () => {
    const turns = planAll(new LimitModel(), fleet(240, 8));
    expect(turns).toHaveLength(240);
    const storage = AZURE_LIMITS.storageWrites;
    if (storage.model !== "tokenBucket") throw new Error("storage writes are a bucket");
    const boundMs = ((720 - storage.burst) / storage.refillPerSecond) * 1000;
    const lastMs = turns.at(-1)!.atMs - T0;
    expect(lastMs).toBeGreaterThanOrEqual(boundMs);
    expect(lastMs / boundMs).toBeLessThan(1.07);
  });

  it("keeps a whole estate's turns inside Azure's own buckets and windows, with the reserve to spare", () => {
    const turns = planAll(new LimitModel(), fleet(240, 8));
    // Azure's real limits, no margin: spend each turn's calls at its turn and check nothing ever runs short.
    const exact = new LimitModel(AZURE_LIMITS, {
      reserveShare: 0,
      minimumReserve: 0,
      refillShare: 1,
      windowSlackMs: 0,
    });
    for (const turn of turns) {
      expect(exact.earliestFit(turn.item.cost, turn.atMs)).toBe(turn.atMs);
      exact.spend(turn.item.cost, turn.atMs);
      expect(exact.available("storageWrites", SUB, turn.atMs)).toBeGreaterThanOrEqual(
        SWEEP_MARGIN.minimumReserve - 1e-6,
      );
    }
    const perVault = new Map<string, number[]>();
    for (const turn of turns)
      perVault.set(turn.item.vaultName, [...(perVault.get(turn.item.vaultName) ?? []), turn.atMs]);
    for (const times of perVault.values())
      for (const [index, atMs] of times.entries())
        expect(times.filter((other, j) => j <= index && other > atMs - 10_000).length).toBeLessThanOrEqual(
          20,
        );
  });

  it("spreads one vault's creates over Key Vault's windows when creates are what binds", () => {
    const items = Array.from({ length: 40 }, (_, index) => ({
      vaultName: "kv1",
      keyName: `k${index}`,
      cost: rotationCost({ vaultName: "kv1", isNewVersion: true, targets: [] }),
    }));
    const turns = planAll(new LimitModel(), items);
    const windowMs = 10_000 + SWEEP_MARGIN.windowSlackMs;
    expect(turns.filter((turn) => turn.atMs === T0)).toHaveLength(15);
    expect(turns[15].atMs).toBe(T0 + windowMs);
    expect(turns.at(-1)!.atMs).toBe(T0 + 2 * windowMs);
  });
});
