// Timer trigger schedules as Azure reads them: NCRONTAB (6 fields, seconds first; 5 fields accepted),
// a TimeSpan interval ("hh:mm:ss" or "d.hh:mm:ss"), or a %SETTING% reference to either. Times are UTC.
import { CronExpressionParser } from "cron-parser";

export interface TimerSchedule {
  /** The schedule after %SETTING% resolution. */
  expression: string;
  /** First occurrence strictly after `afterMs` (epoch ms). */
  nextAfter(afterMs: number): number;
}

const TIME_SPAN = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})$/;

/** Replaces a whole-value %NAME% with the setting's value, failing with the setting's name when it is missing. */
export function resolveSettingReference(
  value: string,
  settings: Readonly<Record<string, string | undefined>>,
): string {
  const reference = /^%([^%]+)%$/.exec(value.trim());
  if (!reference) return value.trim();
  const resolved = settings[reference[1]];
  if (resolved === undefined || resolved.trim() === "") {
    throw new Error(`The timer schedule refers to the app setting '${reference[1]}', which is not set.`);
  }
  return resolved.trim();
}

export function parseTimerSchedule(
  registered: string,
  settings: Readonly<Record<string, string | undefined>>,
): TimerSchedule {
  const expression = resolveSettingReference(registered, settings);
  const span = TIME_SPAN.exec(expression);
  if (span) {
    const [, days, hours, minutes, seconds] = span;
    const intervalMs =
      (((Number(days ?? 0) * 24 + Number(hours)) * 60 + Number(minutes)) * 60 + Number(seconds)) * 1000;
    if (intervalMs <= 0) throw new Error(`The timer interval '${expression}' must be longer than zero.`);
    return { expression, nextAfter: (afterMs) => afterMs + intervalMs };
  }
  const fields = expression.split(/\s+/).length;
  if (fields !== 6 && fields !== 5) {
    throw new Error(
      `The timer schedule '${expression}' is not an NCRONTAB expression (6 fields, seconds first).`,
    );
  }
  try {
    CronExpressionParser.parse(expression, { tz: "UTC" });
  } catch (error) {
    throw new Error(
      `The timer schedule '${expression}' is invalid: ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
      },
    );
  }
  return {
    expression,
    nextAfter: (afterMs) =>
      CronExpressionParser.parse(expression, { currentDate: new Date(afterMs), tz: "UTC" })
        .next()
        .getTime(),
  };
}
