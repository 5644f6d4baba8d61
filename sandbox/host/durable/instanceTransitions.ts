// How an instance record changes as the extension's messages arrive, with no I/O: which messages an episode takes,
// the history event each piece of new work adds, and the record's terminal and continue-as-new transitions.
import { randomUUID } from "node:crypto";
import { HistoryEventType, historyEvent, type HistoryEvent } from "./historyEvents";
import type { InstanceRecord, RuntimeStatus } from "./instanceStore";
import type { ScheduledWork } from "./orchestratorActions";

export function executionStarted(
  name: string,
  instanceId: string,
  executionId: string,
  inputJson: string | null,
  atMs: number,
): HistoryEvent {
  return historyEvent(HistoryEventType.ExecutionStarted, atMs, {
    Name: name,
    Version: "",
    Input: inputJson,
    OrchestrationInstance: { InstanceId: instanceId, ExecutionId: executionId },
  });
}

const isResumeOrTerminate = (event: HistoryEvent) =>
  event.EventType === HistoryEventType.ExecutionResumed ||
  event.EventType === HistoryEventType.ExecutionTerminated;

/** A suspended instance only processes a resume or a termination. */
export function canProcess(record: InstanceRecord): boolean {
  return record.status !== "Suspended" || record.inbox.some(isResumeOrTerminate);
}

/** Takes the inbox messages the next episode processes; messages after a suspension wait for the resume. */
export function takeMessages(record: InstanceRecord): HistoryEvent[] {
  if (record.status !== "Suspended") {
    const messages = record.inbox.splice(0);
    const suspendAt = messages.findIndex((e) => e.EventType === HistoryEventType.ExecutionSuspended);
    if (suspendAt >= 0) record.inbox.unshift(...messages.splice(suspendAt + 1));
    return messages;
  }
  return record.inbox.splice(record.inbox.findIndex(isResumeOrTerminate), 1);
}

/** The history event that records new work (TaskScheduled, TimerCreated, SubOrchestrationInstanceCreated). */
export function scheduledEvent(work: ScheduledWork, nowMs: number): HistoryEvent {
  if (work.kind === "activity") {
    return historyEvent(HistoryEventType.TaskScheduled, nowMs, {
      EventId: work.id,
      Name: work.name,
      Version: "",
      Input: JSON.stringify(work.input ?? null),
    });
  }
  if (work.kind === "timer") {
    return historyEvent(HistoryEventType.TimerCreated, nowMs, {
      EventId: work.id,
      FireAt: new Date(work.fireAtMs).toISOString(),
    });
  }
  return historyEvent(HistoryEventType.SubOrchestrationInstanceCreated, nowMs, {
    EventId: work.id,
    Name: work.name,
    Version: "",
    InstanceId: work.instanceId,
    Input: subOrchestrationInputJson(work),
  });
}

export function subOrchestrationInputJson(work: Extract<ScheduledWork, { kind: "subOrchestration" }>) {
  return work.input === undefined ? null : JSON.stringify(work.input);
}

/**
 * Ends the execution with `status`: records ExecutionCompleted and drops pending work. Returns the message for the
 * parent orchestration, if any (the caller delivers it and cancels the timers).
 */
export function finishExecution(
  record: InstanceRecord,
  status: RuntimeStatus,
  outputJson: string | null,
  nowMs: number,
): HistoryEvent | undefined {
  record.history.push(
    historyEvent(HistoryEventType.ExecutionCompleted, nowMs, {
      OrchestrationStatus: status,
      Result: outputJson,
    }),
  );
  record.status = status;
  record.outputJson = outputJson;
  record.inbox.length = 0;
  record.pendingActivities.clear();
  record.pendingTimers.clear();
  const parent = record.parent;
  if (!parent) return undefined;
  if (status === "Completed") {
    return historyEvent(HistoryEventType.SubOrchestrationInstanceCompleted, nowMs, {
      TaskScheduledId: parent.taskScheduledId,
      Result: outputJson,
    });
  }
  const outcome = status === "Terminated" ? "was terminated" : "failed";
  const reason = outputJson === null ? "" : String(JSON.parse(outputJson));
  return historyEvent(HistoryEventType.SubOrchestrationInstanceFailed, nowMs, {
    TaskScheduledId: parent.taskScheduledId,
    Reason: `Sub-orchestration '${record.name}' (${record.instanceId}) ${outcome}: ${reason}`,
    Details: "",
  });
}

/** A new execution of the same instance: fresh history and execution id; unprocessed events are not carried over. */
export function startNewExecution(record: InstanceRecord, input: unknown, nowMs: number): void {
  const inputJson = input === undefined ? null : JSON.stringify(input);
  record.executionId = randomUUID();
  record.history = [];
  record.inbox = [executionStarted(record.name, record.instanceId, record.executionId, inputJson, nowMs)];
  record.inputJson = inputJson;
  record.outputJson = null;
  record.pendingActivities.clear();
  record.pendingTimers.clear();
  record.status = "Running";
}
