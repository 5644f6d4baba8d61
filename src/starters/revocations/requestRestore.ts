// What POST /api/revocations/{id}/restore does once the signature checked out: guard, then start restoreKey.
import type { DurableClient } from "durable-functions";
import { keyPathOf, revocationInstanceId } from "../../lib/keys";
import { assertRequestIdUnseen, claimRequestId, type RestoreRequest } from "../../lib/revocations";
import type { Services } from "../../lib/services";
import { readRevocation } from "./readRevocation";
import { assertNoRevocationRunning, revocationInProgress } from "./instanceState";
import { rateLimiterOf } from "./rateLimiterOf";
import { startInstance } from "../startInstance";
import { RESTORE_KEY_ORCHESTRATION } from "../../orchestrations/restoreKey/activityNames";
import type { RestoreKeyInput } from "../../orchestrations/restoreKey/types";

/**
 * Restore runs under the key's revocation instance id: revoke and restore of one key never overlap.
 * A revocation whose instance is no longer running can always be restored, even if it crashed
 * half-way (its record says which versions it disabled).
 */
export async function requestRestore(
  client: DurableClient,
  services: Services,
  revocationId: string,
  request: RestoreRequest,
  nowMs: number,
): Promise<{ id: string; instanceId: string }> {
  const asked = await readRevocation(services, revocationId);
  const parsed = services.allowList.parseKeyId(asked.keyId, { versionless: "required" });
  const key = { vaultName: parsed.vaultName, keyName: parsed.keyName };
  await assertRequestIdUnseen(services.once, request.requestId);
  // Before the claim: a refusal, or a task hub that cannot answer, leaves the requestId unspent.
  await assertNoRevocationRunning(client, key);
  await claimRequestId(services.once, request.requestId, nowMs, `restore ${keyPathOf(key)} ${revocationId}`);
  await rateLimiterOf(services).take(key, request.requestId, nowMs);
  // Read again now that no instance writes it: the first read may predate revokeKey's last write.
  const record = await readRevocation(services, revocationId);
  // Shown as Restoring at once, so a caller polling right after the 202 never mistakes the last outcome for this one.
  const startedAt = new Date(nowMs).toISOString();
  await services.audit.putRevocation(key, {
    ...record,
    status: "Restoring",
    restore: {
      requestId: request.requestId,
      reason: request.reason,
      startedAt,
      finishedAt: null,
      status: "Restoring",
    },
  });
  const instanceId = revocationInstanceId(key);
  const input: RestoreKeyInput = {
    revocationId,
    vaultName: key.vaultName,
    keyName: key.keyName,
    reason: request.reason,
    requestId: request.requestId,
    reenableEnvironments: request.reenableEnvironments,
  };
  const start = await startInstance(client, {
    name: RESTORE_KEY_ORCHESTRATION,
    instanceId,
    input,
    // The revocation record goes back to what it said before this restore was asked for, unless a
    // simultaneous restore won the start: its own writes to the same record are the ones that count.
    withdraw: async ({ anotherStartWon }) => {
      if (!anotherStartWon) await services.audit.putRevocation(key, record);
      await rateLimiterOf(services).giveBack(key, request.requestId, nowMs);
    },
    nextStep: `Nothing was re-enabled: send the restore again with a new requestId (${request.requestId} is spent).`,
  });
  if (!start.started) throw revocationInProgress(start.running);
  return { id: revocationId, instanceId };
}
