// The actions an out-of-process orchestrator returns (durable-functions' OrchestratorState.actions, as JSON),
// and the work items the host derives from them.

export const ActionType = {
  CallActivity: 0,
  CallActivityWithRetry: 1,
  CallSubOrchestrator: 2,
  CallSubOrchestratorWithRetry: 3,
  ContinueAsNew: 4,
  CreateTimer: 5,
  WaitForExternalEvent: 6,
  CallEntity: 7,
  CallHttp: 8,
  SignalEntity: 9,
  ScheduledSignalEntity: 10,
  WhenAny: 11,
  WhenAll: 12,
  LockEntities: 13,
  ReleaseEntities: 14,
} as const;

export interface RetryOptionsWire {
  firstRetryIntervalInMilliseconds: number;
  maxNumberOfAttempts: number;
  backoffCoefficient?: number;
  maxRetryIntervalInMilliseconds?: number;
  retryTimeoutInMilliseconds?: number;
}

export interface OrchestratorAction {
  actionType: number;
  functionName?: string;
  input?: unknown;
  retryOptions?: RetryOptionsWire;
  fireAt?: string;
  isCanceled?: boolean;
  externalEventName?: string;
  instanceId?: string;
  compoundActions?: OrchestratorAction[];
}

/** The orchestrator's answer for one episode (OrchestratorState serialized by @azure/functions). */
export interface OrchestratorState {
  isDone: boolean;
  actions: OrchestratorAction[][];
  output?: unknown;
  error?: string;
  customStatus?: unknown;
  schemaVersion?: number;
}

/** Something the host must do because the replay scheduled it for the first time. */
export type ScheduledWork =
  | { kind: "activity"; id: number; name: string; input: unknown }
  | { kind: "timer"; id: number; fireAtMs: number }
  | { kind: "subOrchestration"; id: number; name: string; instanceId: string; input: unknown };

export function describeWork(work: ScheduledWork): string {
  if (work.kind === "activity") return `an activity call to '${work.name}'`;
  if (work.kind === "subOrchestration") return `a sub-orchestration '${work.name}'`;
  return `a durable timer for ${new Date(work.fireAtMs).toISOString()}`;
}

/** durable-functions sends string inputs pre-encoded as JSON (Utils.processInput); undo that once. */
export function decodeActionInput(input: unknown): unknown {
  if (typeof input !== "string") return input;
  try {
    return JSON.parse(input) as unknown;
  } catch {
    return input;
  }
}

const OUT_OF_PROC_DATA_LABEL = "$OutOfProcData$:";

/**
 * durable-functions reports an orchestrator exception as `<message>\n\n$OutOfProcData$:<state json>`:
 * the state after the marker, or undefined when the message carries none.
 */
export function orchestratorStateFromError(message: string): OrchestratorState | undefined {
  const at = message.indexOf(OUT_OF_PROC_DATA_LABEL);
  if (at < 0) return undefined;
  try {
    return JSON.parse(message.slice(at + OUT_OF_PROC_DATA_LABEL.length)) as OrchestratorState;
  } catch {
    return undefined;
  }
}
