// Durable Task history events in the wire shape the Durable extension sends to out-of-process orchestrators
// (PascalCase keys, EventType as a number, Result/Input as JSON text).

export const HistoryEventType = {
  ExecutionStarted: 0,
  ExecutionCompleted: 1,
  ExecutionFailed: 2,
  ExecutionTerminated: 3,
  TaskScheduled: 4,
  TaskCompleted: 5,
  TaskFailed: 6,
  SubOrchestrationInstanceCreated: 7,
  SubOrchestrationInstanceCompleted: 8,
  SubOrchestrationInstanceFailed: 9,
  TimerCreated: 10,
  TimerFired: 11,
  OrchestratorStarted: 12,
  OrchestratorCompleted: 13,
  EventSent: 14,
  EventRaised: 15,
  ContinueAsNew: 16,
  GenericEvent: 17,
  HistoryState: 18,
  ExecutionSuspended: 19,
  ExecutionResumed: 20,
} as const;

export type HistoryEventTypeValue = (typeof HistoryEventType)[keyof typeof HistoryEventType];

export interface HistoryEvent {
  EventType: HistoryEventTypeValue;
  /** Sequence number for scheduling events (TaskScheduled, TimerCreated, SubOrchestrationInstanceCreated), else -1. */
  EventId: number;
  IsPlayed: boolean;
  Timestamp: string;
  Name?: string;
  Version?: string;
  Input?: string | null;
  Result?: string | null;
  Reason?: string;
  Details?: string;
  TaskScheduledId?: number;
  TimerId?: number;
  FireAt?: string;
  InstanceId?: string;
  OrchestrationStatus?: string;
  OrchestrationInstance?: { InstanceId: string; ExecutionId: string };
  ParentInstance?: {
    Name: string;
    TaskScheduleId: number;
    OrchestrationInstance: { InstanceId: string; ExecutionId: string };
  };
}

/** Builds an event; `EventId` defaults to -1 as for every non-scheduling event. */
export function historyEvent(
  type: HistoryEventTypeValue,
  atMs: number,
  fields: Partial<Omit<HistoryEvent, "EventType" | "Timestamp">> = {},
): HistoryEvent {
  return {
    EventType: type,
    EventId: -1,
    IsPlayed: false,
    Timestamp: new Date(atMs).toISOString(),
    ...fields,
  };
}

const NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(HistoryEventType).map(([k, v]) => [v, k]),
);

export function historyEventTypeName(type: number): string {
  return NAMES[type] ?? `EventType ${type}`;
}
