// Waiting for parallel activities without losing the results of those that finished when another one failed.
import type { OrchestrationContext, Task } from "durable-functions";

/**
 * Runs `tasks` in parallel. When one of them failed (after its retries), the tasks that had already
 * completed keep their results and each failed or unfinished one becomes `onFailure(reason)`.
 */
export function* settleAll<T>(
  context: OrchestrationContext,
  tasks: Task[],
  onFailure: (reason: string) => T,
): Generator<Task, T[], unknown> {
  if (tasks.length === 0) return [];
  try {
    return (yield context.df.Task.all(tasks)) as T[];
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return tasks.map((task) =>
      task.isCompleted && !task.isFaulted ? (task.result as T) : onFailure(reason),
    );
  }
}
