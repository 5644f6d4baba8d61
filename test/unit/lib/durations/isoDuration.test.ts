// Unit tests of ISO-8601 durations (the app's and the sandbox Key Vault's one implementation): parsing, calendar-month addition, floors.
import { describe, expect, it } from "vitest";
import {
  addIsoDuration,
  isAtLeast,
  minimumDurationMs,
  parseIsoDuration,
  subtractIsoDuration,
  tryParseIsoDuration,
} from "../../../../src/lib/durations";

const at = (iso: string) => Date.parse(iso);

describe("ISO-8601 durations", () => {
  it("tells P3M (months) from PT3M (minutes)", () => {
    expect(tryParseIsoDuration("P3M")).toMatchObject({ months: 3, minutes: 0 });
    expect(tryParseIsoDuration("PT3M")).toMatchObject({ months: 0, minutes: 3 });
  });

  it.each(["P", "PT", "P1DT", "3M", "P1.5D", "P-1D", "P1H", "", "PT1H30", "P1Y2M3W4DT5H6M7.5S extra"])(
    "refuses %j",
    (text) => {
      expect(tryParseIsoDuration(text)).toBeUndefined();
    },
  );

  it("throws InvalidDuration naming the field", () => {
    expect(() => parseIsoDuration("P1X", "policy.rotateEvery")).toThrow(
      /policy\.rotateEvery "P1X" is not an ISO-8601 duration/,
    );
  });

  it.each([
    ["2026-01-31T10:00:00Z", "P1M", "2026-02-28T10:00:00Z"],
    ["2028-01-31T10:00:00Z", "P1M", "2028-02-29T10:00:00Z"],
    ["2026-01-15T00:00:00Z", "P3M", "2026-04-15T00:00:00Z"],
    ["2026-11-30T00:00:00Z", "P1Y3M", "2028-02-29T00:00:00Z"],
    ["2026-01-01T00:00:00Z", "PT3M", "2026-01-01T00:03:00Z"],
    ["2026-01-01T00:00:00Z", "P1W2DT36H", "2026-01-11T12:00:00Z"],
    ["2026-03-01T00:00:00Z", "P30D", "2026-03-31T00:00:00Z"],
  ])("%s + %s = %s", (start, duration, end) => {
    expect(new Date(addIsoDuration(at(start), duration)).toISOString()).toBe(new Date(end).toISOString());
  });

  it("subtracts with calendar months", () => {
    expect(new Date(subtractIsoDuration(at("2026-03-31T00:00:00Z"), "P1M")).toISOString()).toBe(
      "2026-02-28T00:00:00.000Z",
    );
    expect(new Date(subtractIsoDuration(at("2026-03-31T00:00:00Z"), "P30D")).toISOString()).toBe(
      "2026-03-01T00:00:00.000Z",
    );
  });

  it("compares against floors whatever month it starts in", () => {
    expect(minimumDurationMs("P1M")).toBe(28 * 86_400_000);
    expect(isAtLeast("P28D", "P28D")).toBe(true);
    expect(isAtLeast("P1M", "P28D")).toBe(true);
    expect(isAtLeast("P27D", "P28D")).toBe(false);
    expect(isAtLeast("PT672H", "P28D")).toBe(true);
    expect(isAtLeast("P1M", "P31D")).toBe(false);
    expect(isAtLeast("P3M", "P1D")).toBe(true);
  });
});

const DAY_MS = 86_400_000;
const JAN_31 = Date.UTC(2027, 0, 31);

describe("ISO-8601 durations after 31 January (as Key Vault rotation policies count)", () => {
  it.each([
    ["P3M", Date.UTC(2027, 3, 30)],
    ["P1M", Date.UTC(2027, 1, 28)],
    ["PT3M", JAN_31 + 3 * 60_000],
    ["P90D", JAN_31 + 90 * DAY_MS],
    ["P1Y", Date.UTC(2028, 0, 31)],
    ["P2W", JAN_31 + 14 * DAY_MS],
    ["P1DT12H", JAN_31 + 1.5 * DAY_MS],
  ])("%s after 31 Jan 2027", (text, expected) => {
    const duration = tryParseIsoDuration(text);
    expect(duration).toBeDefined();
    expect(addIsoDuration(JAN_31, duration!)).toBe(expected);
  });
});
