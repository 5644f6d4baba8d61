// Drives a registered orchestrator through the real durable-functions wrapper, on the sandbox host's model of the
// Durable extension: its history events, its action shapes and its replay shim (sequence numbers, retries, timers).
/* eslint-disable @typescript-eslint/no-explicit-any -- activity inputs and outputs are untyped wire JSON read loosely by the tests */
import * as df from "durable-functions";
import { HistoryEventType, historyEvent, type HistoryEvent } from "../../sandbox/host/durable/historyEvents";
import {
  ActionType,
  orchestratorStateFromError,
  type OrchestratorAction,
  type OrchestratorState,
  type ScheduledWork,
} from "../../sandbox/host/durable/orchestratorActions";
import {
  orchestrationTriggerBinding,
  UPPER_SCHEMA_VERSION,
} from "../../sandbox/host/durable/orchestrationTrigger";
import { replayOrchestratorActions } from "../../sandbox/host/durable/replayShim";

export { ActionType, type OrchestratorState };

/** An action the orchestrator scheduled, as the wrapper emitted it (input as the activity receives it). */
export interface ScheduledAction extends OrchestratorAction {
  input?: any;
}

export type ActivityAnswer = { result: unknown } | { failure: string };

/** The wrapper's state, its output read loosely by the tests. */
export type ReplayState = Omit<OrchestratorState, "output"> & { output?: any };

export interface ReplayRun {
  state: ReplayState;
  /** Every action in scheduling order, as the last episode reported them. */
  actions: ScheduledAction[];
  history: HistoryEvent[];
  /** Custom status after each episode. */
  customStatuses: any[];
  episodes: number;
}

type Handler = (trigger: unknown, context: unknown) => Promise<OrchestratorState> | OrchestratorState;

/**
 * Runs the orchestrator to completion (or until `maxEpisodes`): after each episode the replay shim
 * says what is new work, as the extension would; each activity attempt (retries included) is answered
 * by `answer` with its durable sequence number, each timer fires at its fireAt, and the next episode
 * replays the whole history. By default every completion of an episode arrives together, at the latest
 * time among them; `inTimeOrder` delivers each at its own time instead (a timer at its fireAt, an
 * activity `activityDurationMs` after it was scheduled), the earliest first, so one task of a Task.all
 * can still be running when another has ended.
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
    inTimeOrder?: boolean;
  },
): Promise<ReplayRun> {
  const instanceId = options.instanceId ?? "replay-instance";
  let now = options.startAt.getTime();
  const history: HistoryEvent[] = [
    historyEvent(HistoryEventType.OrchestratorStarted, now),
    historyEvent(HistoryEventType.ExecutionStarted, now, {
      Name: options.name,
      Input: JSON.stringify(options.input),
    }),
  ];
  const customStatuses: any[] = [];
  /** Completions not delivered yet, each with the orchestration time it happens at. */
  const due: Array<{ atMs: number; event: HistoryEvent }> = [];
  for (let episode = 1; episode <= (options.maxEpisodes ?? 500); episode += 1) {
    const state = await replay(handler, history, options.input, instanceId);
    customStatuses.push(state.customStatus);
    const actions = state.actions.flat().flatMap(leafActions).map(withIsoFireAt);
    if (state.isDone || state.error) return { state, actions, history, customStatuses, episodes: episode };
    const outcome = replayOrchestratorActions({
      orchestratorName: options.name,
      instanceId,
      history,
      // As the host gets them: JSON (a timer's fireAt as ISO text with its milliseconds, not a Date).
      actions: JSON.parse(JSON.stringify(state.actions)) as typeof state.actions,
      schemaVersion: UPPER_SCHEMA_VERSION,
    });
    if (outcome.failure) throw new Error(`episode ${episode}: ${outcome.failure}`);
    if (outcome.newWork.length === 0 && due.length === 0)
      throw new Error(`episode ${episode} scheduled nothing new and is not done`);
    history.push(historyEvent(HistoryEventType.OrchestratorCompleted, now));
    const activityDurationMs = options.activityDurationMs ?? 1_000;
    for (const work of outcome.newWork) {
      if (work.kind === "timer") {
        const at = new Date(work.fireAtMs).toISOString();
        history.push(historyEvent(HistoryEventType.TimerCreated, now, { EventId: work.id, FireAt: at }));
        due.push({
          atMs: work.fireAtMs,
          event: historyEvent(HistoryEventType.TimerFired, now, { TimerId: work.id, FireAt: at }),
        });
      } else if (work.kind === "activity") {
        history.push(
          historyEvent(HistoryEventType.TaskScheduled, now, { EventId: work.id, Name: work.name }),
        );
        due.push({
          atMs: now + activityDurationMs,
          event: completionOf(work, options.answer(actionOf(work, actions), work.id), now),
        });
      } else {
        throw new Error(
          `episode ${episode} started a sub-orchestration; this driver answers activities and timers`,
        );
      }
    }
    const times = due.map((completion) => completion.atMs);
    now = options.inTimeOrder
      ? Math.max(now, Math.min(...times))
      : Math.max(now + activityDurationMs, ...times);
    history.push(historyEvent(HistoryEventType.OrchestratorStarted, now));
    const arrived = due.filter((completion) => completion.atMs <= now);
    due.splice(0, due.length, ...due.filter((completion) => completion.atMs > now));
    for (const { event } of arrived) history.push({ ...event, Timestamp: new Date(now).toISOString() });
  }
  throw new Error("the orchestration did not finish within maxEpisodes");
}

/** Schema 2 groups parallel work in WhenAll/WhenAny actions; the tests read the calls and timers inside. */
function leafActions(action: OrchestratorAction): OrchestratorAction[] {
  return action.compoundActions ? action.compoundActions.flatMap(leafActions) : [action];
}

function withIsoFireAt(action: OrchestratorAction): ScheduledAction {
  return action.fireAt === undefined ? action : { ...action, fireAt: new Date(action.fireAt).toISOString() };
}

/** The action that scheduled `work` (its retry options included), with the input the activity receives. */
function actionOf(
  work: Extract<ScheduledWork, { kind: "activity" }>,
  actions: ScheduledAction[],
): ScheduledAction {
  const scheduling = actions.find(
    (action) =>
      action.functionName === work.name &&
      (action.actionType === ActionType.CallActivity ||
        action.actionType === ActionType.CallActivityWithRetry),
  );
  return {
    ...scheduling,
    actionType: scheduling?.actionType ?? ActionType.CallActivity,
    functionName: work.name,
    input: work.input,
  };
}

function completionOf(
  work: Extract<ScheduledWork, { kind: "activity" }>,
  answer: ActivityAnswer,
  atMs: number,
): HistoryEvent {
  return "result" in answer
    ? historyEvent(HistoryEventType.TaskCompleted, atMs, {
        TaskScheduledId: work.id,
        Result: JSON.stringify(answer.result),
      })
    : historyEvent(HistoryEventType.TaskFailed, atMs, {
        TaskScheduledId: work.id,
        Reason: answer.failure,
        Details: "",
      });
}

/** One episode: the wrapper replays the whole history and reports every action so far. */
export async function replay(
  handler: Handler,
  history: HistoryEvent[],
  input: unknown,
  instanceId: string,
): Promise<OrchestratorState> {
  try {
    return await handler(
      orchestrationTriggerBinding({ history, committed: 0, input, instanceId }),
      new df.DummyOrchestrationContext(),
    );
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    const state = orchestratorStateFromError(text);
    if (!state) throw error;
    return state;
  }
}
