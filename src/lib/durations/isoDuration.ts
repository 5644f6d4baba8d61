// ISO-8601 durations (P3M months vs PT3M minutes): parse, add to an epoch ms with calendar months, compare.
import { DomainError } from "../errors";

export interface IsoDuration {
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

const PATTERN =
  /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;
const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** Parses `P1Y2M3W4DT5H6M7S` (any part optional, at least one present); undefined when malformed. */
export function tryParseIsoDuration(text: string): IsoDuration | undefined {
  const trimmed = text.trim().toUpperCase();
  const match = PATTERN.exec(trimmed);
  if (!match || trimmed === "P" || trimmed.endsWith("T")) return undefined;
  const [, years, months, weeks, days, hours, minutes, seconds] = match.map((part) =>
    part === undefined ? 0 : Number(part),
  );
  const duration = { years, months, weeks, days, hours, minutes, seconds };
  return Object.values(duration).every((value) => Number.isFinite(value)) ? duration : undefined;
}

/** Parses an ISO-8601 duration; throws InvalidDuration naming `field` when it does not parse. */
export function parseIsoDuration(text: string, field = "duration"): IsoDuration {
  const duration = typeof text === "string" ? tryParseIsoDuration(text) : undefined;
  if (!duration) {
    throw new DomainError(
      "InvalidDuration",
      `${field} "${String(text)}" is not an ISO-8601 duration such as P90D, P3M (3 months) or PT48H.`,
    );
  }
  return duration;
}

function asDuration(duration: IsoDuration | string): IsoDuration {
  return typeof duration === "string" ? parseIsoDuration(duration) : duration;
}

/**
 * Adds a duration to an instant in UTC. Years and months are calendar steps (31 Jan + P1M =
 * 28/29 Feb, as .NET and Key Vault do); weeks, days and time are fixed lengths.
 */
export function addIsoDuration(epochMs: number, duration: IsoDuration | string): number {
  const d = asDuration(duration);
  const date = new Date(epochMs);
  const totalMonths = d.years * 12 + d.months;
  if (totalMonths !== 0) {
    const dayOfMonth = date.getUTCDate();
    date.setUTCDate(1);
    date.setUTCMonth(date.getUTCMonth() + totalMonths);
    const daysInTargetMonth = new Date(
      Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0),
    ).getUTCDate();
    date.setUTCDate(Math.min(dayOfMonth, daysInTargetMonth));
  }
  return date.getTime() + fixedPartMs(d);
}

/** Subtracts a duration (calendar months backwards); used for "window before expiry". */
export function subtractIsoDuration(epochMs: number, duration: IsoDuration | string): number {
  const d = asDuration(duration);
  const negated: IsoDuration = {
    years: -d.years,
    months: -d.months,
    weeks: -d.weeks,
    days: -d.days,
    hours: -d.hours,
    minutes: -d.minutes,
    seconds: -d.seconds,
  };
  return addIsoDuration(epochMs, negated);
}

function fixedPartMs(d: IsoDuration): number {
  return Math.round(
    (d.weeks * 7 + d.days) * DAY_MS + d.hours * HOUR_MS + d.minutes * MINUTE_MS + d.seconds * SECOND_MS,
  );
}

/** The shortest this duration can be (a month counts 28 days, a year 365): for floors like "≥ P28D". */
export function minimumDurationMs(duration: IsoDuration | string): number {
  const d = asDuration(duration);
  return (d.years * 365 + d.months * 28) * DAY_MS + fixedPartMs(d);
}

/** True when `duration` is never shorter than `floor`, whatever month it starts in. */
export function isAtLeast(duration: IsoDuration | string, floor: IsoDuration | string): boolean {
  const f = asDuration(floor);
  const longestFloorMs = (f.years * 366 + f.months * 31) * DAY_MS + fixedPartMs(f);
  return minimumDurationMs(duration) >= longestFloorMs;
}
