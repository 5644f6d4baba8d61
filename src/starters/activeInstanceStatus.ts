// Whether a durable instance is still working (pending, running or suspended); only "not found" means absent.
import type { DurableClient, DurableOrchestrationStatus } from "durable-functions";
import { DomainError, ensureError } from "../lib/errors";

const ACTIVE_STATES: ReadonlySet<string> = new Set(["Pending", "Running", "ContinuedAsNew", "Suspended"]);

/** durable-functions 3.x throws a plain Error with this text when the task hub has no such instance. */
const NOT_FOUND_TEXT = /replied with HTTP 404 response/;

/**
 * The instance's status while it is pending, running or suspended; undefined once it ended or when
 * the task hub has never heard of it. Any other failure to read it (task hub storage down, throttled)
 * throws DependencyUnavailable: on the safety path an unreadable status must never pass for "nothing
 * running". Uses the host's durable client binding.
 */
export async function activeInstanceStatus(
  client: DurableClient,
  instanceId: string,
): Promise<DurableOrchestrationStatus | undefined> {
  let status: DurableOrchestrationStatus | undefined;
  try {
    status = await client.getStatus(instanceId);
  } catch (error) {
    const message = ensureError(error).message;
    if (NOT_FOUND_TEXT.test(message)) return undefined;
    throw new DomainError(
      "DependencyUnavailable",
      `The Durable task hub could not say whether ${instanceId} is running (${message.split("\n")[0]}); nothing was decided. Try again once the Functions app's storage is reachable.`,
      { cause: error },
    );
  }
  return status && ACTIVE_STATES.has(String(status.runtimeStatus)) ? status : undefined;
}
