// Listeners on instance changes: custom-status watchers and waits for a terminal state, so tests and benchmarks
// wait without polling.
import { isTerminal, type DurableStore, type InstanceRecord } from "./instanceStore";
import { toStatusPayload, type OrchestrationStatus } from "./statusPayload";

export class InstanceWatchers {
  private readonly listeners = new Set<(record: InstanceRecord) => void>();

  constructor(private readonly store: DurableStore) {}

  /** Tells every listener that `record` changed (status, custom status, history). */
  notifyChanged(record: InstanceRecord): void {
    for (const listener of [...this.listeners]) listener(record);
  }

  /**
   * Calls `listener` with the instance's custom status each time an episode stores a new one (not on replays or
   * unchanged values); returns the function that stops it.
   */
  onCustomStatus(instanceId: string, listener: (customStatus: unknown) => void): () => void {
    let lastJson = this.store.get(instanceId)?.customStatusJson ?? null;
    const changed = (record: InstanceRecord) => {
      if (record.instanceId !== instanceId || record.customStatusJson === lastJson) return;
      lastJson = record.customStatusJson;
      listener(lastJson === null ? null : (JSON.parse(lastJson) as unknown));
    };
    this.listeners.add(changed);
    return () => this.listeners.delete(changed);
  }

  /** Resolves with the final status once the instance is Completed, Failed or Terminated. */
  waitForInstance(instanceId: string, timeoutMs: number): Promise<OrchestrationStatus> {
    return new Promise((resolve, reject) => {
      const check = (record: InstanceRecord | undefined): boolean => {
        if (!record || !isTerminal(record.status)) return false;
        cleanup();
        resolve(toStatusPayload(record));
        return true;
      };
      const listener = (record: InstanceRecord) => {
        if (record.instanceId === instanceId) check(record);
      };
      const timer = setTimeout(() => {
        cleanup();
        const status = this.store.get(instanceId)?.status ?? "unknown";
        reject(
          new Error(`instance '${instanceId}' did not finish within ${timeoutMs} ms (status ${status})`),
        );
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.listeners.delete(listener);
      };
      this.listeners.add(listener);
      check(this.store.get(instanceId));
    });
  }
}
