// Whether the key's revocation instance (revokeKey or restoreKey, one id per key) is still working.
import type { DurableClient } from "durable-functions";
import { DomainError } from "../../lib/errors";
import { revocationInstanceId, type KeyIdentity } from "../../lib/keys";
import type { RevocationCustomStatus } from "./types";

const ACTIVE_STATES: ReadonlySet<string> = new Set(["Pending", "Running", "ContinuedAsNew", "Suspended"]);

/** Throws RevocationInProgress (409, details.id) while revocation or restore of the key runs. */
export async function assertNoRevocationRunning(client: DurableClient, key: KeyIdentity): Promise<void> {
  let status;
  try {
    status = await client.getStatus(revocationInstanceId(key));
  } catch {
    return; // durable-functions 3.x throws for an unknown instance: none is running.
  }
  if (!status || !ACTIVE_STATES.has(String(status.runtimeStatus))) return;
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
