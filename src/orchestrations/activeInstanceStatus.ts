// Whether a durable instance is still working (pending, running or suspended).
import type { DurableClient, DurableOrchestrationStatus } from "durable-functions";

const ACTIVE_STATES: ReadonlySet<string> = new Set(["Pending", "Running", "ContinuedAsNew", "Suspended"]);

/** The instance's status while it is pending, running or suspended; undefined once it ended, never existed, or cannot be read. */
export async function activeInstanceStatus(
  client: DurableClient,
  instanceId: string,
): Promise<DurableOrchestrationStatus | undefined> {
  let status;
  try {
    status = await client.getStatus(instanceId);
  } catch {
    return undefined; // durable-functions 3.x throws for an unknown instance: none is running.
  }
  return status && ACTIVE_STATES.has(String(status.runtimeStatus)) ? status : undefined;
}
