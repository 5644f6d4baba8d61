// Drives a registered orchestrator through the real durable-functions wrapper, building the wire history the extension would.
/* eslint-disable @typescript-eslint/no-explicit-any -- histories, actions and outputs are untyped wire JSON read loosely by the tests */
import * as df from "durable-functions";

/** History event types (Durable Task wire values). */
const EventType = {
  ExecutionStarted: 0,
  TaskScheduled: 4,
  TaskCompleted: 5,
  TaskFailed: 6,
  TimerCreated: 10,
  TimerFired: 11,
  OrchestratorStarted: 12,
  OrchestratorCompleted: 13,
} as const;

/** Action types the wrapper emits. */
export const ActionType = { CallActivity: 0, CallActivityWithRetry: 1, CreateTimer: 5 } as const;

export interface ScheduledAction {
  actionType: number;
  functionName?: string;
  input?: any;
  fireAt?: string;
  retryOptions?: { maxNumberOfAttempts: number };
}

export type ActivityAnswer = { result: unknown } | { failure: string };

export interface OrchestratorState {
  isDone: boolean;
  actions: ScheduledAction[][];
  output?: any;
  error?: string;
  customStatus?: any;
}

type Handler = (trigger: unknown, context: unknown) => Promise<OrchestratorState> | OrchestratorState;

export interface ReplayRun {
  state: OrchestratorState;
  /** Every action in scheduling order (index = durable sequence number). */
  actions: ScheduledAction[];
  history: Record<string, unknown>[];
  /** Custom status after each episode. */
  customStatuses: any[];
  episodes: number;
}

/**
 * Runs the orchestrator to completion (or until `maxEpisodes`): after each episode, every newly
 * scheduled activity is answered by `answer` and every timer fires at its fireAt, and the next
 * episode replays the whole history, as the Durable extension does.
 */
export async function runToCompletion(
  handler: Handler,
  options: {
    input: unknown;
    name: string;
    startAt: Date;
    answer: (action: ScheduledAction, sequence: number) => ActivityAnswer;
    /** Wall time an activity takes, to move the orchestration clock. */
    activityDurationMs?: number;
    maxEpisodes?: number;
    instanceId?: string;
  },
): Promise<ReplayRun> {
  let now = options.startAt.getTime();
  const event = (type: number, extra: Record<string, unknown> = {}) => ({
    EventType: type,
    EventId: -1,
    IsPlayed: false,
    Timestamp: new Date(now).toISOString(),
    ...extra,
  });
  const history: Record<string, unknown>[] = [
    event(EventType.OrchestratorStarted),
    event(EventType.ExecutionStarted, { Name: options.name, Input: JSON.stringify(options.input) }),
  ];
  const customStatuses: any[] = [];
  let handled = 0;
  // Durable sequence numbers: one per scheduled task, plus one per retry timer and re-attempt of a failed retryable call.
  let nextSequence = 0;
  for (let episode = 1; episode <= (options.maxEpisodes ?? 500); episode += 1) {
    const state = await replay(handler, history, options.input, options.instanceId ?? "replay-instance");
    customStatuses.push(state.customStatus);
    const actions = state.actions
      .flat()
      .map((action) =>
        action.fireAt === undefined ? action : { ...action, fireAt: new Date(action.fireAt).toISOString() },
      );
    if (state.isDone || state.error) return { state, actions, history, customStatuses, episodes: episode };
    const fresh = actions.slice(handled);
    if (fresh.length === 0) throw new Error(`episode ${episode} scheduled nothing new and is not done`);
    history.push(event(EventType.OrchestratorCompleted));
    const completions: Record<string, unknown>[] = [];
    let fireAt = now;
    const failedRetries: { action: ScheduledAction; reason: string }[] = [];
    for (const action of fresh) {
      const sequence = nextSequence++;
      if (action.actionType === ActionType.CreateTimer) {
        history.push(event(EventType.TimerCreated, { EventId: sequence, FireAt: action.fireAt }));
        fireAt = Math.max(fireAt, Date.parse(action.fireAt!));
        completions.push({ EventType: EventType.TimerFired, TimerId: sequence, FireAt: action.fireAt });
        continue;
      }
      history.push(event(EventType.TaskScheduled, { EventId: sequence, Name: action.functionName }));
      const answer = options.answer(action, sequence);
      if ("result" in answer) {
        completions.push({
          EventType: EventType.TaskCompleted,
          TaskScheduledId: sequence,
          Result: JSON.stringify(answer.result),
        });
        continue;
      }
      completions.push({
        EventType: EventType.TaskFailed,
        TaskScheduledId: sequence,
        Reason: answer.failure,
        Details: "",
      });
      if (action.actionType === ActionType.CallActivityWithRetry)
        failedRetries.push({ action, reason: answer.failure });
    }
    // The extension retries server-side: timer, re-attempt, timer, ... each taking the next sequence number
    // after everything this episode scheduled (one failing retryable call at a time is enough for these tests).
    for (const { action, reason } of failedRetries) {
      const attempts = action.retryOptions?.maxNumberOfAttempts ?? 1;
      for (let attempt = 1; attempt <= attempts; attempt += 1) {
        const timerId = nextSequence++;
        completions.push({
          EventType: EventType.TimerFired,
          TimerId: timerId,
          FireAt: new Date(now).toISOString(),
        });
        if (attempt < attempts) {
          const retryId = nextSequence++;
          completions.push({
            EventType: EventType.TaskFailed,
            TaskScheduledId: retryId,
            Reason: reason,
            Details: "",
          });
        }
      }
    }
    handled = actions.length;
    now = Math.max(now + (options.activityDurationMs ?? 1_000), fireAt);
    history.push(event(EventType.OrchestratorStarted));
    for (const completion of completions)
      history.push({ EventId: -1, IsPlayed: false, Timestamp: new Date(now).toISOString(), ...completion });
  }
  throw new Error("the orchestration did not finish within maxEpisodes");
}

/** One episode: the wrapper replays the whole history and reports every action so far. */
export async function replay(
  handler: Handler,
  history: Record<string, unknown>[],
  input: unknown,
  instanceId: string,
): Promise<OrchestratorState> {
  try {
    return await handler(
      { history, input, instanceId, isReplaying: false, parentInstanceId: "", upperSchemaVersion: 0 },
      new df.DummyOrchestrationContext(),
    );
  } catch (error) {
    // The wrapper reports an orchestrator exception as `<message>\n\n$OutOfProcData$:<state json>`.
    const text = error instanceof Error ? error.message : String(error);
    const marker = text.indexOf("$OutOfProcData$:");
    if (marker < 0) throw error;
    return JSON.parse(text.slice(marker + "$OutOfProcData$:".length)) as OrchestratorState;
  }
}
