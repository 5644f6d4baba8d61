// The sweep's model of Azure's limits: token buckets and Key Vault windows, the margin, and what headroom headers change.
import { describe, expect, it } from "vitest";
import { AZURE_LIMITS, SWEEP_MARGIN } from "../../../../src/orchestrations/sweepKeys/limits";
import { LimitModel } from "../../../../src/orchestrations/sweepKeys/limitModel";
import type { LimitCharge, WorkCost } from "../../../../src/orchestrations/sweepKeys/workCost";

const SUB = "00000000-0000-4000-8000-00000000000a";
const cost = (...charges: LimitCharge[]): WorkCost => ({ charges });
const storageWrites = (count: number, scope = SUB): LimitCharge => ({ limit: "storageWrites", scope, count });
const creates = (count: number, vault = "kv1"): LimitCharge => ({
  limit: "keyVaultCreates",
  scope: vault,
  count,
});
const T0 = Date.parse("2026-12-01T00:00:00Z");
/** The margin's reserve: a fifth, never less than 5 (storage 5 of 10, ARM writes 40 of 200, Key Vault 5 of 20). */
const reserveOf = (size: number) => Math.max(size * SWEEP_MARGIN.reserveShare, SWEEP_MARGIN.minimumReserve);
const storageRefillPerMs = (10 * SWEEP_MARGIN.refillShare) / 1000;

describe("LimitModel, token buckets", () => {
  it("keeps a fifth of each burst (at least 5) in reserve and counts the refill 5 % short", () => {
    const model = new LimitModel();
    expect(model.available("storageWrites", SUB, T0)).toBeCloseTo(10 - reserveOf(10));
    expect(model.available("armWrites", SUB, T0)).toBeCloseTo(200 - reserveOf(200));
    expect(model.available("armReads", SUB, T0)).toBeCloseTo(250 - reserveOf(250));
    model.spend(cost(storageWrites(5)), T0);
    expect(model.earliestFit(cost(storageWrites(3)), T0)).toBe(T0 + Math.ceil(3 / storageRefillPerMs));
    expect(model.available("storageWrites", SUB, T0 + 10_000)).toBeCloseTo(5);
  });

  it("keeps scopes apart and takes a case-insensitive scope as the same", () => {
    const model = new LimitModel();
    model.spend(cost(storageWrites(5, SUB.toUpperCase())), T0);
    expect(model.earliestFit(cost(storageWrites(5, "00000000-0000-4000-8000-00000000000b")), T0)).toBe(T0);
    expect(model.earliestFit(cost(storageWrites(1)), T0)).toBeGreaterThan(T0);
  });

  it("waits for a full bucket for a charge bigger than it, and leaves it in debt", () => {
    const model = new LimitModel();
    model.spend(cost(storageWrites(4)), T0);
    const fit = model.earliestFit(cost(storageWrites(30)), T0);
    expect(model.available("storageWrites", SUB, fit)).toBeCloseTo(5, 2);
    model.spend(cost(storageWrites(30)), fit);
    expect(model.available("storageWrites", SUB, fit)).toBeCloseTo(-25, 2);
  });

  it("fits a charge only when every limit it touches has room", () => {
    const model = new LimitModel();
    model.spend(cost({ limit: "armReads", scope: SUB, count: 200 }), T0);
    const both = cost(storageWrites(1), { limit: "armReads", scope: SUB, count: 10 });
    const readsRefilled = T0 + Math.ceil(10 / ((25 * SWEEP_MARGIN.refillShare) / 1000));
    expect(model.earliestFit(both, T0)).toBe(readsRefilled);
  });

  it("lowers a level to what ARM's headroom header reports, less the reserve, plus the refill since", () => {
    const model = new LimitModel();
    model.observe("armWrites", SUB, 50, T0);
    expect(model.available("armWrites", SUB, T0)).toBeCloseTo(50 - reserveOf(200));
    const aged = new LimitModel();
    aged.observe("armWrites", SUB, 50, T0, 2_000);
    expect(aged.available("armWrites", SUB, T0)).toBeCloseTo(10 + 2 * 10 * SWEEP_MARGIN.refillShare);
  });

  it("never raises a level from headroom: turns already handed out have not reached Azure yet", () => {
    const model = new LimitModel();
    model.spend(cost({ limit: "armWrites", scope: SUB, count: 150 }), T0);
    model.observe("armWrites", SUB, 200, T0);
    expect(model.available("armWrites", SUB, T0)).toBeCloseTo(10);
    model.observe("keyVaultCreates", "kv1", 0, T0);
    expect(model.available("keyVaultCreates", "kv1", T0)).toBe(15);
  });

  it("takes a headroom report of nothing left as debt that the refill pays off", () => {
    const model = new LimitModel();
    model.observe("armReads", SUB, 0, T0);
    const fit = model.earliestFit(cost({ limit: "armReads", scope: SUB, count: 1 }), T0);
    expect(fit - T0).toBe(Math.ceil((reserveOf(250) + 1) / ((25 * SWEEP_MARGIN.refillShare) / 1000)));
  });
});

describe("LimitModel, Key Vault windows", () => {
  const windowMs = 10_000 + SWEEP_MARGIN.windowSlackMs;

  it("allows 15 of the vault's 20 creates in any window taken a second long, per vault", () => {
    const model = new LimitModel();
    for (let index = 0; index < 15; index += 1) {
      expect(model.earliestFit(cost(creates(1)), T0 + index)).toBe(T0 + index);
      model.spend(cost(creates(1)), T0 + index);
    }
    expect(model.earliestFit(cost(creates(1)), T0 + 20)).toBe(T0 + windowMs);
    expect(model.earliestFit(cost(creates(1, "kv2")), T0 + 20)).toBe(T0 + 20);
    // 6 of the 15 left the window a second and 5 ms after the first.
    expect(model.available("keyVaultCreates", "kv1", T0 + windowMs + 5)).toBe(6);
  });

  it("counts HSM creates in a window of their own (10 per 10 s, 5 of them kept in reserve)", () => {
    const model = new LimitModel();
    const hsm: LimitCharge = { limit: "keyVaultHsmCreates", scope: "kv1", count: 5 };
    model.spend(cost(hsm), T0);
    expect(model.earliestFit(cost({ ...hsm, count: 1 }), T0)).toBe(T0 + windowMs);
    expect(model.earliestFit(cost(creates(1)), T0)).toBe(T0);
  });

  it("uses the figures of the limits it is given", () => {
    const model = new LimitModel(
      { ...AZURE_LIMITS, keyVaultCreates: { model: "window", perWindow: 2, windowMs: 1_000 } },
      { reserveShare: 0, minimumReserve: 0, refillShare: 1, windowSlackMs: 0 },
    );
    model.spend(cost(creates(2)), T0);
    expect(model.earliestFit(cost(creates(1)), T0 + 1)).toBe(T0 + 1_000);
  });
});
