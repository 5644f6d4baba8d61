import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseTimerSchedule } from "../../../sandbox/host/timers/timerSchedule";
import { startExampleHost, type ExampleHost } from "./exampleHost";

const at = (iso: string) => Date.parse(iso);

describe("timer schedules", () => {
  it("reads six-field NCRONTAB (seconds first) in UTC", () => {
    const schedule = parseTimerSchedule("0 */5 * * * *", {});
    expect(new Date(schedule.nextAfter(at("2026-03-01T10:02:30Z"))).toISOString()).toBe(
      "2026-03-01T10:05:00.000Z",
    );
    const daily = parseTimerSchedule("0 0 2 * * *", {});
    expect(new Date(daily.nextAfter(at("2026-03-01T02:00:00Z"))).toISOString()).toBe(
      "2026-03-02T02:00:00.000Z",
    );
  });

  it("resolves %SETTING% references and TimeSpan intervals", () => {
    const fromSetting = parseTimerSchedule("%SWEEP%", { SWEEP: "30 0 * * * *" });
    expect(fromSetting.expression).toBe("30 0 * * * *");
    const interval = parseTimerSchedule("1.00:00:00", {});
    expect(interval.nextAfter(1000)).toBe(1000 + 24 * 3600_000);
  });

  it("names the missing setting and rejects invalid expressions", () => {
    expect(() => parseTimerSchedule("%NOT_SET%", {})).toThrow(/'NOT_SET'/);
    expect(() => parseTimerSchedule("every day", {})).toThrow(/NCRONTAB/);
    expect(() => parseTimerSchedule("0 0 99 * * *", {})).toThrow(/invalid/);
  });
});

describe("local host: timer triggers on the virtual clock", () => {
  let example: ExampleHost;
  beforeAll(async () => {
    example = await startExampleHost({ settings: { TICK_SCHEDULE: "0 0 * * * *" } });
  });
  afterAll(async () => {
    await example.host.stop();
  });

  const ticks = async () =>
    (
      (await (await example.call("/api/observations", { key: null })).json()) as {
        ticks: Array<{ isPastDue: boolean }>;
      }
    ).ticks;

  it("fires once per occurrence when the clock is advanced, in order, without skipping", async () => {
    const next = example.host.nextTimerOccurrences().Tick;
    expect(next).toMatch(/T\d\d:00:00\.000Z$/);
    expect(await ticks()).toHaveLength(0);
    await example.clock.advance(3 * 3600_000);
    const fired = await ticks();
    expect(fired).toHaveLength(3);
    expect(fired.every((tick) => tick.isPastDue === false)).toBe(true);
    expect(Date.parse(example.host.nextTimerOccurrences().Tick ?? "")).toBeGreaterThan(example.clock.now());
  });

  it("fails start-up with the setting's name when a %SETTING% schedule is missing", async () => {
    await expect(startExampleHost({ settings: { TICK_SCHEDULE: "" } })).rejects.toThrow(
      /Function 'Tick'.*'TICK_SCHEDULE'/,
    );
    await expect(startExampleHost({ settings: { TICK_SCHEDULE: "not a schedule" } })).rejects.toThrow(
      /Function 'Tick'/,
    );
  });
});
