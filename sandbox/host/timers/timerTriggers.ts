// Runs timer-triggered functions on the shared virtual clock: one invocation per occurrence, never overlapping.
import type { ClockTimer, VirtualClock } from "../../clock";
import { errorMessage, type HostLogger } from "../hostLog";
import type { CatalogEntry } from "../worker/functionCatalog";
import { jsonTypedData, type FunctionInvoker } from "../worker/invokeFunction";
import { parseTimerSchedule, type TimerSchedule } from "./timerSchedule";

/** An occurrence that fires this much (virtual) time after it was due is reported with isPastDue = true. */
const PAST_DUE_AFTER_MS = 1000;

export interface TimerTriggerDeps {
  functions: readonly CatalogEntry[];
  settings: Readonly<Record<string, string | undefined>>;
  clock: VirtualClock;
  invoker: FunctionInvoker;
  log: HostLogger;
  /** Awaited after every occurrence so work it started settles before the clock moves on. */
  afterOccurrence(): Promise<void>;
}

interface ScheduledTimer {
  entry: CatalogEntry;
  schedule: TimerSchedule;
  pending?: ClockTimer;
  lastDueMs?: number;
}

export class TimerTriggers {
  private readonly timers: ScheduledTimer[];
  private isStopped = false;

  /** Parses every schedule up front: a bad schedule or a missing %SETTING% fails start-up, as in Azure. */
  constructor(private readonly deps: TimerTriggerDeps) {
    this.timers = deps.functions
      .filter((entry) => entry.kind === "timer")
      .map((entry) => {
        try {
          return { entry, schedule: parseTimerSchedule(entry.schedule ?? "", deps.settings) };
        } catch (error) {
          throw new Error(`Function '${entry.name}': ${errorMessage(error)}`, { cause: error });
        }
      });
  }

  start(): void {
    for (const timer of this.timers) {
      this.arm(timer, this.deps.clock.now());
      if (timer.entry.runOnStartup) void this.fire(timer, this.deps.clock.now(), false);
    }
  }

  stop(): void {
    this.isStopped = true;
    for (const timer of this.timers) timer.pending?.cancel();
  }

  /** Next due time of each timer function (for diagnostics and tests). */
  nextOccurrences(): Record<string, string | undefined> {
    return Object.fromEntries(
      this.timers.map((t) => [
        t.entry.name,
        t.pending ? new Date(t.pending.dueAtMs).toISOString() : undefined,
      ]),
    );
  }

  private arm(timer: ScheduledTimer, afterMs: number): void {
    if (this.isStopped) return;
    const dueMs = timer.schedule.nextAfter(afterMs);
    timer.pending = this.deps.clock.setTimer(dueMs, async () => {
      timer.pending = undefined;
      await this.fire(timer, dueMs, true);
      // Scheduling from the due time (not from now) keeps every occurrence when the clock jumps far ahead.
      this.arm(timer, dueMs);
    });
  }

  private async fire(timer: ScheduledTimer, dueMs: number, isScheduled: boolean): Promise<void> {
    if (this.isStopped) return;
    const nowMs = this.deps.clock.now();
    const input = {
      Schedule: { AdjustForDST: true },
      ScheduleStatus: {
        Last: new Date(timer.lastDueMs ?? dueMs).toISOString(),
        Next: new Date(timer.schedule.nextAfter(dueMs)).toISOString(),
        LastUpdated: new Date(nowMs).toISOString(),
      },
      IsPastDue: isScheduled && nowMs - dueMs > PAST_DUE_AFTER_MS,
    };
    timer.lastDueMs = dueMs;
    const outcome = await this.deps.invoker.invoke(timer.entry, { trigger: jsonTypedData(input) });
    if (!outcome.ok) {
      this.deps.log({
        level: "error",
        category: "system",
        functionName: timer.entry.name,
        invocationId: outcome.invocationId,
        message: `Executed '${timer.entry.name}' (Failed): ${errorMessage(outcome.error)}`,
      });
    }
    await this.deps.afterOccurrence();
  }
}
