// Starting an orchestration after its door wrote the first record: if the start does not happen, the record is put back.
import type { DurableClient, DurableOrchestrationStatus } from "durable-functions";
import { DomainError, ensureError } from "../lib/errors";
import { activeInstanceStatus } from "./activeInstanceStatus";

export interface InstanceStart {
  name: string;
  instanceId: string;
  input: unknown;
  /** Puts back what the door wrote for this start (its first record); told why nothing was started. */
  withdraw?: (why: { reason: string; anotherStartWon: boolean }) => Promise<void>;
  /** What the caller can do when the task hub is unavailable, e.g. "Send the request again." */
  nextStep: string;
}

/** Started, or another start of the same instance id won the race (another worker, same moment). */
export type InstanceStartOutcome =
  { started: true } | { started: false; running: DurableOrchestrationStatus };

/**
 * Starts the orchestration. When the task hub does not accept the start, `withdraw` runs so no record
 * claims that work is running; then either the instance turns out to be running already (another
 * start won: `{started: false, running}`) or the task hub is unavailable or throttled
 * (DependencyUnavailable, 503, saying nothing was started). Uses the host's durable client binding.
 */
export async function startInstance(
  client: DurableClient,
  start: InstanceStart,
): Promise<InstanceStartOutcome> {
  try {
    await client.startNew(start.name, { instanceId: start.instanceId, input: start.input });
    return { started: true };
  } catch (error) {
    // The status read may fail for the same reason the start did: then nothing is known to run.
    const running = await activeInstanceStatus(client, start.instanceId).catch(() => undefined);
    const reason = running
      ? `Another start of ${start.instanceId} won the race; nothing was started here.`
      : `The Durable task hub did not start ${start.name} (${ensureError(error).message}); nothing was started.`;
    let withdrawn = "";
    try {
      await start.withdraw?.({ reason, anotherStartWon: running !== undefined });
    } catch (withdrawError) {
      withdrawn = ` Its first record could not be corrected either (${ensureError(withdrawError).message}).`;
    }
    if (running) return { started: false, running };
    throw new DomainError("DependencyUnavailable", `${reason}${withdrawn} ${start.nextStep}`, {
      cause: error,
    });
  }
}
