// The status JSON of the Durable HTTP API (StatusResponsePayload): what GET .../instances/{id} returns.
import { historyEventTypeName, type HistoryEvent } from "./historyEvents";
import type { InstanceRecord, RuntimeStatus } from "./instanceStore";

export interface OrchestrationStatus {
  name: string;
  instanceId: string;
  runtimeStatus: RuntimeStatus;
  input: unknown;
  customStatus: unknown;
  output: unknown;
  createdTime: string;
  lastUpdatedTime: string;
  historyEvents?: Array<Record<string, unknown>>;
}

function parseJsonText(text: string | null): unknown {
  if (text === null || text === "") return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The extension formats times with .NET's "s" format plus Z: whole seconds, UTC. */
export function statusTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

function presentHistoryEvent(event: HistoryEvent, showOutput: boolean): Record<string, unknown> {
  const { EventType, IsPlayed: _isPlayed, Result, ...rest } = event;
  const presented: Record<string, unknown> = { EventType: historyEventTypeName(EventType), ...rest };
  if (showOutput && Result !== undefined) presented.Result = parseJsonText(Result ?? null);
  return presented;
}

export function toStatusPayload(
  record: InstanceRecord,
  options: { showInput?: boolean; showHistory?: boolean; showHistoryOutput?: boolean } = {},
): OrchestrationStatus {
  const status: OrchestrationStatus = {
    name: record.name,
    instanceId: record.instanceId,
    runtimeStatus: record.status,
    input: options.showInput === false ? null : parseJsonText(record.inputJson),
    customStatus: parseJsonText(record.customStatusJson),
    output: parseJsonText(record.outputJson),
    createdTime: statusTime(record.createdMs),
    lastUpdatedTime: statusTime(record.lastUpdatedMs),
  };
  if (options.showHistory) {
    status.historyEvents = record.history.map((event) =>
      presentHistoryEvent(event, options.showHistoryOutput === true),
    );
  }
  return status;
}
