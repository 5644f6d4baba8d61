// Whether the key's revocation instance (revokeKey or restoreKey) is still working.
import type { DurableClient, DurableOrchestrationStatus } from "durable-functions";
import { DomainError } from "../../lib/errors";
import { revocationInstanceId, type KeyIdentity } from "../../lib/keys";
import { activeInstanceStatus } from "../activeInstanceStatus";
import type { RevocationCustomStatus } from "../../orchestrations/revocationSteps/types";

/** The revocation id a revokeKey or restoreKey instance carries (custom status, then input); the instance id as a last resort. */
export function revocationIdOfInstance(status: DurableOrchestrationStatus): string {
  const custom = status.customStatus as Partial<RevocationCustomStatus> | undefined;
  const input = status.input as { revocationId?: unknown } | undefined;
  if (typeof custom?.revocationId === "string") return custom.revocationId;
  if (typeof input?.revocationId === "string") return input.revocationId;
  return status.instanceId;
}

/** RevocationInProgress (409, details.id) naming the revocation or restore whose instance `status` describes. */
export function revocationInProgress(status: DurableOrchestrationStatus): DomainError {
  const id = revocationIdOfInstance(status);
  return new DomainError(
    "RevocationInProgress",
    `Revocation ${id} of this key is still working; wait for it to finish.`,
    {
      details: { id },
    },
  );
}

/** Throws RevocationInProgress (409, details.id) while revocation or restore of the key runs. */
export async function assertNoRevocationRunning(client: DurableClient, key: KeyIdentity): Promise<void> {
  const status = await activeInstanceStatus(client, revocationInstanceId(key));
  if (status) throw revocationInProgress(status);
}
