// Whether a durable instance is still working: the key's revocation instance (revokeKey or restoreKey), or a rotation it takes over.
import type { DurableClient, DurableOrchestrationStatus } from "durable-functions";
import { DomainError } from "../../lib/errors";
import { revocationInstanceId, type KeyIdentity } from "../../lib/keys";
import type { RevocationCustomStatus } from "./types";

const ACTIVE_STATES: ReadonlySet<string> = new Set(["Pending", "Running", "ContinuedAsNew", "Suspended"]);

/** The instance's status while it is pending, running or suspended; undefined once it ended or never existed. */
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

/** Throws RevocationInProgress (409, details.id) while revocation or restore of the key runs. */
export async function assertNoRevocationRunning(client: DurableClient, key: KeyIdentity): Promise<void> {
  const status = await activeInstanceStatus(client, revocationInstanceId(key));
  if (!status) return;
  const running = status.customStatus as Partial<RevocationCustomStatus> | undefined;
  const id = running?.revocationId ?? status.instanceId;
  throw new DomainError(
    "RevocationInProgress",
    `Revocation ${id} of this key is still working; wait for it to finish.`,
    {
      details: { id },
    },
  );
}
