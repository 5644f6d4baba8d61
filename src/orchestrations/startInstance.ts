// Starting an orchestration after its door wrote the first record: if the task hub refuses, the record is put back.
import type { DurableClient } from "durable-functions";
import { DomainError, ensureError } from "../lib/errors";

export interface InstanceStart {
  name: string;
  instanceId: string;
  input: unknown;
  /** Puts back what the door wrote for this start (its first record); told why the start failed. */
  withdraw?: (reason: string) => Promise<void>;
  /** What the caller can do now, e.g. "Send the request again." */
  nextStep: string;
}

/**
 * Starts the orchestration. When the task hub does not accept the start (its storage unavailable or
 * throttled), `withdraw` runs so no record claims that work is running, and the caller gets
 * DependencyUnavailable (503) saying nothing was started. Uses the host's durable client binding.
 */
export async function startInstance(client: DurableClient, start: InstanceStart): Promise<void> {
  try {
    await client.startNew(start.name, { instanceId: start.instanceId, input: start.input });
  } catch (error) {
    const reason = `The Durable task hub did not start ${start.name} (${ensureError(error).message}); nothing was started.`;
    let withdrawn = "";
    try {
      await start.withdraw?.(reason);
    } catch (withdrawError) {
      withdrawn = ` Its first record could not be corrected either (${ensureError(withdrawError).message}).`;
    }
    throw new DomainError("DependencyUnavailable", `${reason}${withdrawn} ${start.nextStep}`, {
      cause: error,
    });
  }
}
