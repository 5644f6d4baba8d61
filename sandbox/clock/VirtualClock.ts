// The one virtual clock the local host and every emulator share: real time plus an offset that tests advance.

/** A scheduled callback; `cancel()` is safe to call more than once. */
export interface ClockTimer {
  readonly dueAtMs: number;
  cancel(): void;
}

type TimerCallback = () => void | Promise<void>;

interface PendingTimer {
  id: number;
  dueAtMs: number;
  callback: TimerCallback;
  realTimeout?: NodeJS.Timeout;
  isCancelled: boolean;
}

/** Real setTimeout cannot wait longer than about 24.8 days; longer waits are re-armed. */
const MAX_REAL_TIMEOUT_MS = 2_147_483_647;

/**
 * Virtual time = wall-clock time + offset. Timers fire when virtual time reaches them, either because
 * real time passed or because `advance` moved the clock. `advance` is a discrete-event step: timers
 * due inside the jump fire in due-time order, each with `now()` equal to its own due time, so a
 * 30-day jump replays 30 daily ticks in order rather than one burst at the end.
 */
export class VirtualClock {
  private offsetMs = 0;
  private pinnedNowMs: number | undefined;
  private nextTimerId = 1;
  private readonly timers = new Map<number, PendingTimer>();
  private readonly advanceListeners = new Set<(nowMs: number) => void | Promise<void>>();
  private advancing: Promise<void> = Promise.resolve();

  /** Virtual now in epoch milliseconds. */
  now(): number {
    return this.pinnedNowMs ?? Date.now() + this.offsetMs;
  }

  nowDate(): Date {
    return new Date(this.now());
  }

  /** Virtual now in Unix seconds, the unit Key Vault attributes use. */
  nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  /** How far virtual time is ahead of the wall clock, in milliseconds. */
  offset(): number {
    return this.offsetMs;
  }

  /** Calls `callback` once virtual time reaches `dueAtMs`. */
  setTimer(dueAtMs: number, callback: TimerCallback): ClockTimer {
    const timer: PendingTimer = { id: this.nextTimerId++, dueAtMs, callback, isCancelled: false };
    this.timers.set(timer.id, timer);
    this.armRealTimeout(timer);
    return {
      dueAtMs,
      cancel: () => this.cancel(timer),
    };
  }

  /** Calls `callback` after `delayMs` of virtual time. */
  setTimeout(delayMs: number, callback: TimerCallback): ClockTimer {
    return this.setTimer(this.now() + delayMs, callback);
  }

  /** Runs `listener` after every `advance`, with the new virtual now. Returns an unsubscribe function. */
  onAdvance(listener: (nowMs: number) => void | Promise<void>): () => void {
    this.advanceListeners.add(listener);
    return () => this.advanceListeners.delete(listener);
  }

  /**
   * Moves virtual time forward by `ms`, firing every timer that falls due on the way (in order, each
   * awaited), then notifies advance listeners. Calls are serialised: two overlapping advances run one
   * after the other.
   */
  advance(ms: number): Promise<void> {
    if (!Number.isFinite(ms) || ms < 0) {
      return Promise.reject(new RangeError(`advance needs a non-negative number of milliseconds, got ${ms}`));
    }
    const step = this.advancing.then(() => this.runAdvance(ms));
    this.advancing = step.catch(() => undefined);
    return step;
  }

  /** Number of timers still waiting (for tests and diagnostics). */
  pendingTimerCount(): number {
    return this.timers.size;
  }

  /** Cancels every pending timer (used when a component stops). */
  clearAll(): void {
    for (const timer of [...this.timers.values()]) this.cancel(timer);
  }

  private async runAdvance(ms: number): Promise<void> {
    const targetMs = this.now() + ms;
    for (;;) {
      const next = this.earliestTimer();
      if (!next || next.dueAtMs > targetMs) break;
      this.pinnedNowMs = Math.max(next.dueAtMs, this.now());
      this.offsetMs = this.pinnedNowMs - Date.now();
      await this.fire(next);
    }
    this.pinnedNowMs = undefined;
    this.offsetMs = targetMs - Date.now();
    for (const timer of this.timers.values()) this.armRealTimeout(timer);
    const nowMs = this.now();
    for (const listener of [...this.advanceListeners]) await listener(nowMs);
  }

  private earliestTimer(): PendingTimer | undefined {
    let earliest: PendingTimer | undefined;
    for (const timer of this.timers.values()) {
      if (
        !earliest ||
        timer.dueAtMs < earliest.dueAtMs ||
        (timer.dueAtMs === earliest.dueAtMs && timer.id < earliest.id)
      ) {
        earliest = timer;
      }
    }
    return earliest;
  }

  private armRealTimeout(timer: PendingTimer): void {
    if (timer.realTimeout) clearTimeout(timer.realTimeout);
    const delayMs = Math.max(0, timer.dueAtMs - this.now());
    const waitMs = Math.min(delayMs, MAX_REAL_TIMEOUT_MS);
    timer.realTimeout = setTimeout(() => {
      if (timer.isCancelled) return;
      if (timer.dueAtMs > this.now()) {
        this.armRealTimeout(timer);
        return;
      }
      void this.fire(timer);
    }, waitMs);
    timer.realTimeout.unref();
  }

  private async fire(timer: PendingTimer): Promise<void> {
    if (timer.isCancelled || !this.timers.has(timer.id)) return;
    this.cancel(timer);
    try {
      await timer.callback();
    } catch (error) {
      // A failing timer callback must not stop the clock; the component that owns it reports its own errors.
      console.error(
        `virtual clock: timer callback failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  private cancel(timer: PendingTimer): void {
    timer.isCancelled = true;
    if (timer.realTimeout) clearTimeout(timer.realTimeout);
    this.timers.delete(timer.id);
  }
}

/** The process-wide clock: components default to it so the sandbox needs no wiring to share one. */
export const sharedClock = new VirtualClock();
