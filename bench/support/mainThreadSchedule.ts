// How long this process's main thread has run on a CPU and waited for one, read from Linux's schedstat.
import { readFileSync } from "node:fs";

export interface ThreadSchedule {
  /** Time the thread spent running on a CPU. */
  runMs: number;
  /** Time the thread was ready to run but waited in the run queue for a CPU. */
  waitMs: number;
}

const SCHEDSTAT_PATH = `/proc/self/task/${process.pid}/schedstat`;

/** The main thread's totals so far, or undefined where the kernel does not expose schedstat (not Linux). */
export function mainThreadSchedule(): ThreadSchedule | undefined {
  try {
    const [runNs, waitNs] = readFileSync(SCHEDSTAT_PATH, "utf8").split(" ").map(Number);
    if (!Number.isFinite(runNs) || !Number.isFinite(waitNs)) return undefined;
    return { runMs: runNs / 1e6, waitMs: waitNs / 1e6 };
  } catch {
    return undefined;
  }
}

/** What the thread did between two readings; undefined when either reading is missing. */
export function scheduleBetween(
  start: ThreadSchedule | undefined,
  end: ThreadSchedule | undefined,
): ThreadSchedule | undefined {
  if (!start || !end) return undefined;
  return { runMs: end.runMs - start.runMs, waitMs: end.waitMs - start.waitMs };
}
