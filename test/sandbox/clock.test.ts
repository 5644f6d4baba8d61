import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../sandbox/clock";

describe("VirtualClock", () => {
  it("follows real time until advanced", async () => {
    const clock = new VirtualClock();
    expect(Math.abs(clock.now() - Date.now())).toBeLessThan(5);
    await clock.advance(3_600_000);
    expect(clock.now() - Date.now()).toBeGreaterThanOrEqual(3_599_990);
  });

  it("fires timers inside an advance in due order, each at its own due time", async () => {
    const clock = new VirtualClock();
    const start = clock.now();
    const fired: Array<[string, number]> = [];
    clock.setTimer(start + 2_000, () => void fired.push(["b", clock.now() - start]));
    clock.setTimer(start + 1_000, () => void fired.push(["a", clock.now() - start]));
    clock.setTimer(start + 10_000, () => void fired.push(["late", clock.now() - start]));
    await clock.advance(5_000);
    expect(fired.map(([name]) => name)).toEqual(["a", "b"]);
    expect(fired[0][1]).toBeGreaterThanOrEqual(1_000);
    expect(fired[0][1]).toBeLessThan(1_050);
    expect(clock.pendingTimerCount()).toBe(1);
  });

  it("runs timers scheduled by timers when they fall inside the same advance", async () => {
    const clock = new VirtualClock();
    const dayMs = 86_400_000;
    let ticks = 0;
    const scheduleDaily = () =>
      clock.setTimeout(dayMs, () => {
        ticks++;
        scheduleDaily();
      });
    scheduleDaily();
    await clock.advance(30 * dayMs + 1_000);
    expect(ticks).toBe(30);
  });

  it("fires with real time and can be cancelled", async () => {
    const clock = new VirtualClock();
    let fired = 0;
    clock.setTimeout(20, () => void fired++);
    clock.setTimeout(20, () => void fired++).cancel();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(fired).toBe(1);
  });

  it("notifies advance listeners and refuses negative steps", async () => {
    const clock = new VirtualClock();
    const seen: number[] = [];
    clock.onAdvance((now) => void seen.push(now));
    await clock.advance(1_000);
    expect(seen).toHaveLength(1);
    await expect(clock.advance(-1)).rejects.toThrow(RangeError);
  });
});
