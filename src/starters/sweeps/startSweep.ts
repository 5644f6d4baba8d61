// Starts the sweep unless one is still running: one sweep at a time, whatever fires it.
import type { DurableClient } from "durable-functions";
import { activeInstanceStatus } from "../activeInstanceStatus";
import { SWEEP_KEYS_ORCHESTRATION } from "../../orchestrations/sweepKeys/activityNames";
import type { SweepInput } from "../../orchestrations/sweepKeys/types";

/** The sweep's one instance id. */
export const SWEEP_INSTANCE_ID = "sweep-keys";

export async function startSweep(
  client: DurableClient,
  input: SweepInput,
): Promise<{ started: boolean; instanceId: string }> {
  if (await activeInstanceStatus(client, SWEEP_INSTANCE_ID))
    return { started: false, instanceId: SWEEP_INSTANCE_ID };
  await client.startNew(SWEEP_KEYS_ORCHESTRATION, { instanceId: SWEEP_INSTANCE_ID, input });
  return { started: true, instanceId: SWEEP_INSTANCE_ID };
}
