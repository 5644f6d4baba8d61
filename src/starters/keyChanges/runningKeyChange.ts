// Whether a key change involving a key is running: its mark names the instance, the task hub says if it is active.
import type { DurableClient, DurableOrchestrationStatus } from "durable-functions";
import type { KeyChangeMark, KeyIdentity } from "../../lib/keys";
import type { Services } from "../../lib/services";
import { activeInstanceStatus } from "../activeInstanceStatus";

/** A running change: its mark and its instance's status. */
export type RunningKeyChange = KeyChangeMark & { status: DurableOrchestrationStatus };

/** The running change, or undefined. An unreadable task hub throws (never "nothing running"). */
export async function runningKeyChangeOf(
  client: DurableClient,
  services: Pick<Services, "keyChangeMarks">,
  key: KeyIdentity,
): Promise<RunningKeyChange | undefined> {
  const mark = await services.keyChangeMarks.get(key);
  if (!mark) return undefined;
  const status = await activeInstanceStatus(client, mark.instanceId);
  return status ? { ...mark, status } : undefined;
}
