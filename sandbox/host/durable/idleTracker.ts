// Counts the engine's outstanding work (episodes, activities) and lets callers wait until there is none.

export class IdleTracker {
  private busyCount = 0;
  private waiters: Array<() => void> = [];

  get isBusy(): boolean {
    return this.busyCount > 0;
  }

  /** Marks one piece of work started; call the returned function exactly once when it ends. */
  begin(): () => void {
    this.busyCount++;
    return () => {
      this.busyCount--;
      if (this.busyCount === 0) this.releaseAll();
    };
  }

  /** Resolves when no work is outstanding, or after `maxWaitMs` of real time. */
  whenIdle(maxWaitMs: number): Promise<void> {
    if (!this.isBusy) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, maxWaitMs);
      timer.unref();
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Releases every waiter now, busy or not (the engine is stopping). */
  releaseAll(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }
}
