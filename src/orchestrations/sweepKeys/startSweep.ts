// Starts the sweep unless one is still running: one sweep at a time, whatever fires it.
import type { DurableClient } from "durable-functions";
import { SWEEP_KEYS_ORCHESTRATION } from "./activityNames";
import type { SweepInput } from "./types";

/** The sweep's one instance id. */
export const SWEEP_INSTANCE_ID = "sweep-keys";

const ACTIVE_STATES: ReadonlySet<string> = new Set(["Pending", "Running", "ContinuedAsNew"]);

export async function startSweep(
  client: DurableClient,
  input: SweepInput,
): Promise<{ started: boolean; instanceId: string }> {
  try {
    const existing = await client.getStatus(SWEEP_INSTANCE_ID);
    if (ACTIVE_STATES.has(String(existing.runtimeStatus)))
      return { started: false, instanceId: SWEEP_INSTANCE_ID };
  } catch {
    // getStatus throws when the instance never existed (durable-functions 3.x): nothing is running.
  }
  await client.startNew(SWEEP_KEYS_ORCHESTRATION, { instanceId: SWEEP_INSTANCE_ID, input });
  return { started: true, instanceId: SWEEP_INSTANCE_ID };
}
