// Replays an out-of-process orchestrator's actions against its history the way the Durable extension does
// (OutOfProcOrchestrationShim over the Durable Task Framework): every action gets its sequence number in call order,
// history scheduling events must match those numbers, retries and long timers expand into timers, and whatever the
// history has not seen yet is new work. A mismatch is a non-deterministic orchestrator.
import { HistoryEventType, historyEventTypeName, type HistoryEvent } from "./historyEvents";
import {
  ActionType,
  decodeActionInput,
  describeWork,
  type OrchestratorAction,
  type RetryOptionsWire,
  type ScheduledWork,
} from "./orchestratorActions";

/** Timer limits of the Azure Storage provider that the extension applies to out-of-process timers (schema V3). */
export interface TimerLimits {
  maximumShortTimerMs: number;
  longRunningTimerIntervalMs: number;
}

export const AZURE_STORAGE_TIMER_LIMITS: TimerLimits = {
  maximumShortTimerMs: 6 * 24 * 3600_000,
  longRunningTimerIntervalMs: 3 * 24 * 3600_000,
};

export interface ReplayOutcome {
  /** Work the history has not recorded yet, in sequence order. */
  newWork: ScheduledWork[];
  /** Set when the orchestrator called continueAsNew. */
  continueAsNew?: { input: unknown };
  /** Why the instance must fail (non-determinism, unsupported API); undefined when the replay is consistent. */
  failure?: string;
}

class ShimTask {
  state: "pending" | "completed" | "failed" = "pending";
  private listeners: Array<() => void> = [];

  onSettled(listener: () => void): void {
    if (this.state === "pending") this.listeners.push(listener);
    else listener();
  }

  settle(state: "completed" | "failed"): void {
    if (this.state !== "pending") return;
    this.state = state;
    const listeners = this.listeners;
    this.listeners = [];
    for (const listener of listeners) listener();
  }

  static done(): ShimTask {
    const task = new ShimTask();
    task.state = "completed";
    return task;
  }
}

class UnsupportedAction extends Error {}

function whenAll(tasks: ShimTask[]): ShimTask {
  // Like .NET Task.WhenAll: settles only after every child settled, failed if any failed.
  const all = new ShimTask();
  let remaining = tasks.length;
  if (remaining === 0) return ShimTask.done();
  for (const task of tasks) {
    task.onSettled(() => {
      remaining--;
      if (remaining === 0) all.settle(tasks.some((t) => t.state === "failed") ? "failed" : "completed");
    });
  }
  return all;
}

function whenAny(tasks: ShimTask[]): ShimTask {
  const any = new ShimTask();
  if (tasks.length === 0) return ShimTask.done();
  for (const task of tasks) task.onSettled(() => any.settle("completed"));
  return any;
}

function describeHistoryEvent(event: HistoryEvent): string {
  const name = event.Name ? ` '${event.Name}'` : event.FireAt ? ` for ${event.FireAt}` : "";
  return `${historyEventTypeName(event.EventType)}${name}`;
}

class ShimReplay {
  private nextId = 0;
  private nowMs = 0;
  private readonly pending = new Map<number, ScheduledWork>();
  private readonly openTasks = new Map<number, ShimTask>();
  private readonly eventWaiters = new Map<string, ShimTask[]>();
  private readonly bufferedEvents = new Map<string, number>();
  private continueAsNew?: { input: unknown };
  private failure?: string;

  constructor(
    private readonly orchestratorName: string,
    private readonly instanceId: string,
    private readonly actions: OrchestratorAction[][],
    private readonly schemaVersion: number,
    private readonly limits: TimerLimits,
  ) {}

  run(history: readonly HistoryEvent[]): ReplayOutcome {
    try {
      for (const event of history) {
        this.process(event);
        if (this.failure) break;
      }
    } catch (error) {
      if (!(error instanceof UnsupportedAction)) throw error;
      this.failure = error.message;
    }
    const newWork = [...this.pending.values()].sort((a, b) => a.id - b.id);
    return { newWork, continueAsNew: this.continueAsNew, failure: this.failure };
  }

  private process(event: HistoryEvent): void {
    switch (event.EventType) {
      case HistoryEventType.OrchestratorStarted:
        this.nowMs = Date.parse(event.Timestamp);
        return;
      case HistoryEventType.ExecutionStarted:
        this.startShim();
        return;
      case HistoryEventType.TaskScheduled:
        return this.confirmScheduled(event, "activity");
      case HistoryEventType.TimerCreated:
        return this.confirmScheduled(event, "timer");
      case HistoryEventType.SubOrchestrationInstanceCreated:
        return this.confirmScheduled(event, "subOrchestration");
      case HistoryEventType.TaskCompleted:
      case HistoryEventType.SubOrchestrationInstanceCompleted:
        return this.complete(event.TaskScheduledId, "completed");
      case HistoryEventType.TaskFailed:
      case HistoryEventType.SubOrchestrationInstanceFailed:
        return this.complete(event.TaskScheduledId, "failed");
      case HistoryEventType.TimerFired:
        return this.complete(event.TimerId, "completed");
      case HistoryEventType.EventRaised:
        return this.raise(event.Name ?? "");
      default:
        return;
    }
  }

  /** A scheduling event in history must match what the replay scheduled under the same sequence number. */
  private confirmScheduled(event: HistoryEvent, kind: ScheduledWork["kind"]): void {
    const work = this.pending.get(event.EventId);
    const matches =
      work !== undefined &&
      work.kind === kind &&
      (work.kind === "timer" || (event.Name ?? "").toLowerCase() === work.name.toLowerCase());
    if (matches) {
      this.pending.delete(event.EventId);
      return;
    }
    const replayed = work ? `scheduled ${describeWork(work)}` : "scheduled nothing";
    this.failure =
      `Non-deterministic orchestrator '${this.orchestratorName}' (instance '${this.instanceId}'): ` +
      `the history has ${describeHistoryEvent(event)} at sequence ${event.EventId}, but the replay ${replayed} there. ` +
      "An orchestrator must yield the same actions in the same order on every replay (no Date.now(), " +
      "Math.random() or I/O in orchestrator code); was its code changed while this instance was running?";
  }

  private complete(id: number | undefined, state: "completed" | "failed"): void {
    if (id === undefined) return;
    const task = this.openTasks.get(id);
    // A completion for an unknown or already finished task is a duplicate delivery: the framework ignores it.
    if (!task) return;
    this.openTasks.delete(id);
    task.settle(state);
  }

  private raise(name: string): void {
    const waiters = this.eventWaiters.get(name);
    const waiter = waiters?.shift();
    if (waiter) {
      waiter.settle("completed");
      return;
    }
    this.bufferedEvents.set(name, (this.bufferedEvents.get(name) ?? 0) + 1);
  }

  private startShim(): void {
    if (this.schemaVersion >= 1) {
      // V2/V3: one flat list, each action awaited before the next is invoked, failures swallowed.
      const list = this.actions[0] ?? [];
      let index = 0;
      const next = (): void => {
        while (index < list.length) {
          const task = this.invoke(list[index++]);
          if (task.state === "pending") {
            task.onSettled(next);
            return;
          }
        }
      };
      next();
    } else {
      // V1: one list per yield; everything in a list is invoked, then the first to finish releases the next list.
      let index = 0;
      const next = (): void => {
        while (index < this.actions.length) {
          const tasks = this.actions[index++].map((action) => this.invoke(action));
          const gate = whenAny(tasks);
          if (gate.state === "pending") {
            gate.onSettled(next);
            return;
          }
        }
      };
      next();
    }
  }

  private schedule(work: ScheduledWork): ShimTask {
    const task = new ShimTask();
    this.pending.set(work.id, work);
    this.openTasks.set(work.id, task);
    return task;
  }

  private scheduleTimer(fireAtMs: number): ShimTask {
    return this.schedule({ kind: "timer", id: this.nextId++, fireAtMs });
  }

  private invoke(action: OrchestratorAction): ShimTask {
    switch (action.actionType) {
      case ActionType.CallActivity:
        return this.callActivity(action);
      case ActionType.CallActivityWithRetry:
        return this.withRetry(requireRetryOptions(action), () => this.callActivity(action));
      case ActionType.CallSubOrchestrator:
        return this.callSubOrchestrator(action);
      case ActionType.CallSubOrchestratorWithRetry:
        return this.withRetry(requireRetryOptions(action), () => this.callSubOrchestrator(action));
      case ActionType.CreateTimer:
        return this.createTimer(action);
      case ActionType.WaitForExternalEvent:
        return this.waitForEvent(action.externalEventName ?? "");
      case ActionType.ContinueAsNew:
        this.continueAsNew = { input: decodeActionInput(action.input) };
        return ShimTask.done();
      case ActionType.WhenAll:
        return whenAll((action.compoundActions ?? []).map((child) => this.invoke(child)));
      case ActionType.WhenAny:
        return whenAny((action.compoundActions ?? []).map((child) => this.invoke(child)));
      case ActionType.CallHttp:
        throw new UnsupportedAction("context.df.callHttp is not supported by the local host.");
      default:
        throw new UnsupportedAction(
          `Durable entities and action type ${action.actionType} are not supported by the local host.`,
        );
    }
  }

  private callActivity(action: OrchestratorAction): ShimTask {
    return this.schedule({
      kind: "activity",
      id: this.nextId++,
      name: action.functionName ?? "",
      input: decodeActionInput(action.input),
    });
  }

  private callSubOrchestrator(action: OrchestratorAction): ShimTask {
    const id = this.nextId++;
    // Without an explicit id the extension derives one from the parent, so replays produce the same id.
    const instanceId = action.instanceId || `${this.instanceId}:${id.toString(16).padStart(4, "0")}`;
    return this.schedule({
      kind: "subOrchestration",
      id,
      name: action.functionName ?? "",
      instanceId,
      input: action.input,
    });
  }

  /** The extension splits timers longer than the provider's limit into intervals, each its own TimerCreated. */
  private createTimer(action: OrchestratorAction): ShimTask {
    const finalFireAtMs = Date.parse(action.fireAt ?? "");
    if (Number.isNaN(finalFireAtMs))
      throw new UnsupportedAction(`CreateTimer has an invalid fireAt '${action.fireAt}'.`);
    let task: ShimTask;
    if (this.schemaVersion >= 2 && finalFireAtMs - this.nowMs > this.limits.maximumShortTimerMs) {
      task = new ShimTask();
      const nextInterval = (): void => {
        const remainingMs = finalFireAtMs - this.nowMs;
        if (remainingMs <= 0) {
          task.settle("completed");
          return;
        }
        const fireAtMs =
          remainingMs > this.limits.maximumShortTimerMs
            ? this.nowMs + this.limits.longRunningTimerIntervalMs
            : finalFireAtMs;
        this.scheduleTimer(fireAtMs).onSettled(nextInterval);
      };
      nextInterval();
    } else {
      task = this.scheduleTimer(finalFireAtMs);
    }
    // A cancelled timer is still created, but the orchestrator no longer waits for it.
    return action.isCanceled ? ShimTask.done() : task;
  }

  private waitForEvent(name: string): ShimTask {
    const buffered = this.bufferedEvents.get(name) ?? 0;
    if (buffered > 0) {
      this.bufferedEvents.set(name, buffered - 1);
      return ShimTask.done();
    }
    const task = new ShimTask();
    const waiters = this.eventWaiters.get(name) ?? [];
    waiters.push(task);
    this.eventWaiters.set(name, waiters);
    return task;
  }

  /** The Durable Task Framework's RetryInterceptor: attempt, then a retry timer after each failure. */
  private withRetry(options: RetryOptionsWire, attempt: () => ShimTask): ShimTask {
    const result = new ShimTask();
    const firstAttemptMs = this.nowMs;
    let retryCount = 0;
    const tryOnce = (): void => {
      if (retryCount >= options.maxNumberOfAttempts) {
        result.settle("failed");
        return;
      }
      const task = attempt();
      task.onSettled(() => {
        if (task.state === "completed") {
          result.settle("completed");
          return;
        }
        const delayMs = nextRetryDelayMs(options, retryCount, firstAttemptMs, this.nowMs);
        retryCount++;
        if (delayMs === 0) {
          result.settle("failed");
          return;
        }
        this.scheduleTimer(this.nowMs + delayMs).onSettled(tryOnce);
      });
    };
    tryOnce();
    return result;
  }
}

function requireRetryOptions(action: OrchestratorAction): RetryOptionsWire {
  const options = action.retryOptions;
  if (!options || !(options.firstRetryIntervalInMilliseconds > 0) || !(options.maxNumberOfAttempts >= 1)) {
    throw new UnsupportedAction(`'${action.functionName}' was called with invalid retry options.`);
  }
  return options;
}

/** DTFx ComputeNextDelay: first * coefficient^attempt, capped, and zero once the retry timeout has passed. */
export function nextRetryDelayMs(
  options: RetryOptionsWire,
  attempt: number,
  firstAttemptMs: number,
  nowMs: number,
): number {
  if (options.retryTimeoutInMilliseconds !== undefined && options.retryTimeoutInMilliseconds > 0) {
    if (nowMs >= firstAttemptMs + options.retryTimeoutInMilliseconds) return 0;
  }
  const delayMs =
    options.firstRetryIntervalInMilliseconds * Math.pow(options.backoffCoefficient ?? 1, attempt);
  const maxMs = options.maxRetryIntervalInMilliseconds ?? 6 * 24 * 3600_000;
  return Math.round(Math.min(delayMs, maxMs));
}

/** Replays `actions` (one episode's OrchestratorState.actions) against the full `history` of the execution. */
export function replayOrchestratorActions(input: {
  orchestratorName: string;
  instanceId: string;
  history: readonly HistoryEvent[];
  actions: OrchestratorAction[][];
  schemaVersion: number;
  limits?: TimerLimits;
}): ReplayOutcome {
  return new ShimReplay(
    input.orchestratorName,
    input.instanceId,
    input.actions,
    input.schemaVersion,
    input.limits ?? AZURE_STORAGE_TIMER_LIMITS,
  ).run(input.history);
}
