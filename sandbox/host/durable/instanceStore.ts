// The task hub's state: every orchestration instance with its history, unprocessed messages and outstanding work.
// It lives outside a host so that a stopped host's successor (a restart) resumes where it left off.
import type { HistoryEvent } from "./historyEvents";

export type RuntimeStatus =
  "Pending" | "Running" | "Completed" | "ContinuedAsNew" | "Failed" | "Terminated" | "Suspended";

const TERMINAL: ReadonlySet<RuntimeStatus> = new Set(["Completed", "Failed", "Terminated"]);

export function isTerminal(status: RuntimeStatus): boolean {
  return TERMINAL.has(status);
}

export interface ParentLink {
  instanceId: string;
  executionId: string;
  /** Sequence number of the SubOrchestrationInstanceCreated event in the parent. */
  taskScheduledId: number;
}

export interface InstanceRecord {
  instanceId: string;
  name: string;
  executionId: string;
  status: RuntimeStatus;
  /** JSON text (null when the orchestration got no input). */
  inputJson: string | null;
  outputJson: string | null;
  customStatusJson: string | null;
  createdMs: number;
  lastUpdatedMs: number;
  /** Committed history of the current execution. */
  history: HistoryEvent[];
  /** Messages delivered but not yet processed by an episode. */
  inbox: HistoryEvent[];
  parent?: ParentLink;
  /** Activities scheduled and not yet completed: re-run after a restart (at-least-once, like the real queues). */
  pendingActivities: Map<number, { name: string; input: unknown }>;
  /** Durable timers created and not yet fired: re-armed after a restart. */
  pendingTimers: Map<number, number>;
}

/** In-memory task hub; pass the same store to a new host to keep instances across a restart. */
export class DurableStore {
  readonly instances = new Map<string, InstanceRecord>();

  get(instanceId: string): InstanceRecord | undefined {
    return this.instances.get(instanceId);
  }
}

export function createDurableStore(): DurableStore {
  return new DurableStore();
}
