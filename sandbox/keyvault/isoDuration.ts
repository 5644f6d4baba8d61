// ISO-8601 durations as Key Vault rotation policies use them (P90D, P3M months, PT3M minutes, P1Y2M10DT2H30M).

export interface IsoDuration {
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

const DURATION_PATTERN =
  /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/** Parses a duration; returns undefined for anything that is not a valid, non-empty ISO-8601 duration. */
export function parseIsoDuration(text: string): IsoDuration | undefined {
  const match = DURATION_PATTERN.exec(text);
  if (!match || text === "P" || text.endsWith("T")) return undefined;
  const [years, months, weeks, days, hours, minutes, seconds] = match
    .slice(1)
    .map((part) => (part === undefined ? 0 : Number(part)));
  return { years, months, weeks, days, hours, minutes, seconds };
}

/**
 * Adds (sign 1) or subtracts (sign -1) a duration from an instant. Years and months are calendar
 * steps in UTC that clamp to the month's last day, like .NET's AddMonths that Key Vault runs on
 * (31 January + P1M = 28/29 February); weeks, days and time parts are fixed lengths.
 */
export function addIsoDuration(epochMs: number, duration: IsoDuration, sign: 1 | -1 = 1): number {
  const date = new Date(epochMs);
  const monthIndex = date.getUTCMonth() + sign * (duration.years * 12 + duration.months);
  const daysInTargetMonth = new Date(Date.UTC(date.getUTCFullYear(), monthIndex + 1, 0)).getUTCDate();
  const calendarMs = Date.UTC(
    date.getUTCFullYear(),
    monthIndex,
    Math.min(date.getUTCDate(), daysInTargetMonth),
    date.getUTCHours(),
    date.getUTCMinutes(),
    date.getUTCSeconds(),
    date.getUTCMilliseconds(),
  );
  const fixedMs =
    (((duration.weeks * 7 + duration.days) * 24 + duration.hours) * 60 + duration.minutes) * 60_000 +
    duration.seconds * 1000;
  return calendarMs + sign * fixedMs;
}
