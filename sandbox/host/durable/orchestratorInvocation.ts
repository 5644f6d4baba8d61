// One orchestration episode's call into the worker: the trigger binding in, the orchestrator's state (or why there
// is none) out.
import type { CatalogEntry } from "../worker/functionCatalog";
import { fromTypedData, type FunctionInvoker } from "../worker/invokeFunction";
import type { HistoryEvent } from "./historyEvents";
import type { InstanceRecord } from "./instanceStore";
import { orchestratorStateFromError, type OrchestratorState } from "./orchestratorActions";
import { orchestrationTriggerBinding } from "./orchestrationTrigger";

/** Runs the orchestrator function over `history`; returns its state, or the reason it could not produce one. */
export async function invokeOrchestrator(
  invoker: FunctionInvoker,
  entry: CatalogEntry,
  record: InstanceRecord,
  history: HistoryEvent[],
): Promise<OrchestratorState | string> {
  const binding = orchestrationTriggerBinding({
    history,
    committed: record.history.length,
    input: record.inputJson === null ? null : (JSON.parse(record.inputJson) as unknown),
    instanceId: record.instanceId,
    parentInstanceId: record.parent?.instanceId,
  });
  const outcome = await invoker.invoke(entry, { trigger: { string: JSON.stringify(binding) } });
  if (outcome.ok) {
    const state = fromTypedData(outcome.returnValue);
    if (typeof state === "object" && state !== null && "isDone" in state) return state as OrchestratorState;
    return `Orchestrator function '${record.name}' returned no orchestrator state; is it registered with df.app.orchestration?`;
  }
  // durable-functions reports an orchestrator exception with its state appended after a marker.
  const message = outcome.error.message;
  return orchestratorStateFromError(message) ?? `Orchestrator function '${record.name}' failed: ${message}`;
}
