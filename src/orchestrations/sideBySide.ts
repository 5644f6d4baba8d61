// Running a few step sequences of one orchestration side by side (e.g. environments moved a few at a time).
import type { OrchestrationContext, Task } from "durable-functions";
import type { Steps } from "./orchestrationSupport";

export interface SideBySide<T> {
  /** How many sequences run at once (at least 1). */
  limit: number;
  /** The steps of sequence `index`: activities and timers, ending with its result. */
  run: (index: number) => Steps<T>;
  /**
   * Called once per sequence as it ends, one at a time and in order, before anything new starts (its
   * record is written here, so two records never race); true stops starting new sequences, while those
   * already running finish and come through here too.
   */
  onEnd: (index: number, result: T) => Steps<boolean>;
}

type Settled = { isOk: true; value: unknown } | { isOk: false; error: unknown };

interface Running<T> {
  index: number;
  steps: Steps<T>;
  task: Task;
}

/**
 * Runs `count` sequences, at most `limit` at once, starting the next as one ends. Each round waits for
 * the next task of every running sequence in one `Task.all` of tasks never yielded before
 * (durable-functions schedules a task again when it is passed to a second `Task.any`/`Task.all`,
 * Azure/azure-functions-durable-js#574); a failed task's error goes back into its own sequence. With one
 * sequence running, its task is yielded as is, so `limit: 1` schedules exactly what a plain loop would.
 */
export function* runSideBySide<T>(
  context: OrchestrationContext,
  count: number,
  options: SideBySide<T>,
): Steps<void> {
  const limit = Math.max(1, Math.floor(options.limit));
  let running: Running<T>[] = [];
  const ended: Array<{ index: number; result: T }> = [];
  let nextIndex = 0;
  let isStopping = false;

  const advance = (index: number, steps: Steps<T>, step: IteratorResult<Task, T>) => {
    if (step.done) ended.push({ index, result: step.value });
    else running.push({ index, steps, task: step.value });
  };

  for (;;) {
    for (const { index, result } of ended.splice(0)) {
      if (yield* options.onEnd(index, result)) isStopping = true;
    }
    while (!isStopping && running.length < limit && nextIndex < count) {
      const index = nextIndex++;
      const steps = options.run(index);
      advance(index, steps, steps.next());
    }
    if (ended.length > 0) continue;
    if (running.length === 0) return;
    const round = running;
    running = [];
    const settled = yield* settleRound(
      context,
      round.map((sequence) => sequence.task),
    );
    round.forEach((sequence, position) => {
      const outcome = settled[position];
      advance(
        sequence.index,
        sequence.steps,
        outcome.isOk ? sequence.steps.next(outcome.value) : sequence.steps.throw(outcome.error),
      );
    });
  }
}

/** Waits for every task of a round; when one failed, the others are still waited for, one by one. */
function* settleRound(context: OrchestrationContext, tasks: Task[]): Steps<Settled[]> {
  if (tasks.length === 1) return [yield* settleOne(tasks[0])];
  try {
    const values = (yield context.df.Task.all(tasks)) as unknown[];
    return values.map((value) => ({ isOk: true, value }));
  } catch {
    const settled: Settled[] = [];
    for (const task of tasks) {
      if (task.isCompleted) settled.push({ isOk: true, value: task.result });
      else if (task.isFaulted) settled.push({ isOk: false, error: task.result });
      // Already scheduled by the round: yielding it alone waits for it without scheduling it again.
      else settled.push(yield* settleOne(task));
    }
    return settled;
  }
}

function* settleOne(task: Task): Steps<Settled> {
  try {
    return { isOk: true, value: yield task };
  } catch (error) {
    return { isOk: false, error };
  }
}
