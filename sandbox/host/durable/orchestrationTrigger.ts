// The orchestration trigger's binding data: what the Durable extension hands an out-of-process orchestrator
// for one episode (history, input, replay schema and Azure Storage's timer limits).
import type { HistoryEvent } from "./historyEvents";

/** OOProc replay schema the extension offers (2 = V3: long timers split by the extension). */
export const UPPER_SCHEMA_VERSION = 2;

export interface OrchestrationTriggerBinding {
  history: HistoryEvent[];
  input: unknown;
  instanceId: string;
  isReplaying: boolean;
  parentInstanceId: string;
  upperSchemaVersion: number;
  longRunningTimerIntervalDuration: string;
  maximumShortTimerDuration: string;
  defaultHttpAsyncRequestSleepTimeMillseconds: number;
}

/** The binding for an episode over `history`, whose first `committed` events were played in earlier episodes. */
export function orchestrationTriggerBinding(episode: {
  history: HistoryEvent[];
  committed: number;
  input: unknown;
  instanceId: string;
  parentInstanceId?: string;
}): OrchestrationTriggerBinding {
  return {
    history: episode.history.map((event, index) => ({ ...event, IsPlayed: index < episode.committed })),
    input: episode.input,
    instanceId: episode.instanceId,
    isReplaying: episode.committed > 0,
    parentInstanceId: episode.parentInstanceId ?? "",
    upperSchemaVersion: UPPER_SCHEMA_VERSION,
    longRunningTimerIntervalDuration: "3.00:00:00",
    maximumShortTimerDuration: "6.00:00:00",
    defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
  };
}
