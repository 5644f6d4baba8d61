import { describe, expect, it } from "vitest";
import { mainThreadSchedule, scheduleBetween } from "../../../bench/support/mainThreadSchedule";

describe("mainThreadSchedule", () => {
  it("counts the main thread's time on a CPU as it works (Linux)", () => {
    const before = mainThreadSchedule();
    if (process.platform !== "linux") {
      expect(before).toBeUndefined();
      return;
    }
    // Work until the kernel has counted 5 ms of it (a loaded machine may hold the thread back a while).
    const giveUpAt = performance.now() + 5_000;
    let spent = scheduleBetween(before, mainThreadSchedule());
    while ((spent?.runMs ?? 0) < 5 && performance.now() < giveUpAt) {
      spent = scheduleBetween(before, mainThreadSchedule());
    }
    expect(spent?.runMs).toBeGreaterThanOrEqual(5);
    expect(spent?.waitMs).toBeGreaterThanOrEqual(0);
  });

  it("gives the difference of two readings, or nothing when one is missing", () => {
    expect(scheduleBetween({ runMs: 10, waitMs: 1 }, { runMs: 25, waitMs: 4 })).toEqual({
      runMs: 15,
      waitMs: 3,
    });
    expect(scheduleBetween(undefined, { runMs: 25, waitMs: 4 })).toBeUndefined();
    expect(scheduleBetween({ runMs: 10, waitMs: 1 }, undefined)).toBeUndefined();
  });
});
