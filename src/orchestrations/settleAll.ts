// Waiting for parallel activities without losing the results of those that finished when another one failed.
import type { OrchestrationContext, Task } from "durable-functions";
import { errorText, type Steps } from "./orchestrationSupport";

/**
 * Runs `tasks` in parallel. When one of them failed (after its retries), the tasks that had completed
 * keep their results and every other one becomes `onFailure(reason)`: its own error, or, for one still
 * running when the first failure ended the wait, that failure.
 */
export function* settleAll<T>(
  context: OrchestrationContext,
  tasks: Task[],
  onFailure: (reason: string) => T,
): Steps<T[]> {
  if (tasks.length === 0) return [];
  try {
    return (yield context.df.Task.all(tasks)) as T[];
  } catch (error) {
    return tasks.map((task) => {
      if (task.isCompleted) return task.result as T;
      return onFailure(
        task.isFaulted ? errorText(task.result) : `still running when another failed: ${errorText(error)}`,
      );
    });
  }
}
