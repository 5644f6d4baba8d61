// Each key's state within one sweep, and the progress the sweep shows of them (replay-safe: plain data only).
import type { SweepKeyState, SweepProgress } from "./types";

/** Lists in the custom status are capped: Durable keeps custom status small (16 KB in Azure Storage). */
export const PROGRESS_LIST_LIMIT = 100;

export class SweepKeyStates {
  private readonly states = new Map<string, SweepKeyState>();
  private readonly failures: { key: string; detail: string }[] = [];

  constructor(private readonly sweepId: string) {}

  /** Every key of the sweep starts Pending (not assessed yet). */
  track(keyPaths: readonly string[]): void {
    for (const path of keyPaths) this.states.set(path, "Pending");
  }

  set(keyPath: string, state: SweepKeyState): void {
    this.states.set(keyPath, state);
  }

  /** A failure of one of the key's steps; its state stays what it was (a started rotation still runs). */
  noteFailure(keyPath: string, detail: string): void {
    this.failures.push({ key: keyPath, detail });
  }

  status(step: string): SweepProgress {
    const counts: Partial<Record<SweepKeyState, number>> = {};
    const waiting: string[] = [];
    for (const [path, state] of this.states) {
      counts[state] = (counts[state] ?? 0) + 1;
      if (state === "Pending" || state === "Waiting") waiting.push(path);
    }
    return {
      sweepId: this.sweepId,
      step,
      counts,
      waiting: waiting.slice(0, PROGRESS_LIST_LIMIT),
      failed: this.failures.slice(0, PROGRESS_LIST_LIMIT),
    };
  }
}
