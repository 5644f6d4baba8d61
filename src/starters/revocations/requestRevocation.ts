// What POST /api/revocations does once the signature checked out: validate, guard, record, and start revokeKey.
import { randomUUID } from "node:crypto";
import type { DurableClient } from "durable-functions";
import type { RevocationRecord } from "../../lib/audit";
import { DomainError } from "../../lib/errors";
import { keyPathOf, revocationInstanceId } from "../../lib/keys";
import { assertRequestIdUnseen, claimRequestId, type RevokeRequest } from "../../lib/revocations";
import type { Services } from "../../lib/services";
import { startInstance } from "../startInstance";
import { REVOKE_KEY_ORCHESTRATION } from "../../orchestrations/revokeKey/activityNames";
import { assertNoRevocationRunning, revocationInProgress } from "./instanceState";
import { rateLimiterOf } from "./rateLimiterOf";
import type { RevokeKeyInput } from "../../orchestrations/revokeKey/types";

export interface StartedRevocation {
  id: string;
  instanceId: string;
}

/**
 * Order matters: checks that change nothing come first (allow-list, requestId not seen, key
 * exists, no revocation of the key running, not revoked already), so a refusal or a task hub that
 * cannot answer leaves the requestId unspent and the rate limit untouched; then the requestId is claimed for good, then the
 * key's rate limit (it counts accepted requests); only then is anything recorded or started.
 * `nowMs` is the wall clock.
 */
export async function requestRevocation(
  client: DurableClient,
  services: Services,
  request: RevokeRequest,
  nowMs: number,
): Promise<StartedRevocation> {
  const parsed = services.allowList.parseKeyId(request.keyId, { versionless: "required" });
  const key = { vaultName: parsed.vaultName, keyName: parsed.keyName };
  await assertRequestIdUnseen(services.once, request.requestId);
  // Listing, not GET: a key whose versions are all disabled still exists and may be revoked.
  await services.keyVault.listVersionsUnordered(key);
  await assertNoRevocationRunning(client, key);
  const fence = await services.fences.get(key);
  if (fence) {
    throw new DomainError(
      "KeyRevoked",
      `The key is already revoked by revocation ${fence.revocationId}; restore that one first.`,
      {
        details: { id: fence.revocationId },
      },
    );
  }
  await claimRequestId(services.once, request.requestId, nowMs, `revoke ${keyPathOf(key)}`);
  await rateLimiterOf(services).take(key, request.requestId, nowMs);
  const id = randomUUID();
  const record: RevocationRecord = {
    id,
    keyId: services.allowList.keyIdOf(key),
    status: "Running",
    reason: request.reason,
    requestId: request.requestId,
    versions: [],
    targets: [],
    environments: [],
    interruptedRotationId: null,
    restore: null,
    startedAt: new Date(nowMs).toISOString(),
    finishedAt: null,
  };
  await services.audit.putRevocation(key, record);
  const instanceId = revocationInstanceId(key);
  const input: RevokeKeyInput = { revocationId: id, vaultName: key.vaultName, keyName: key.keyName, record };
  const start = await startInstance(client, {
    name: REVOKE_KEY_ORCHESTRATION,
    instanceId,
    input,
    // Nothing was disabled: the record says so and the key's rate-limit slot is given back.
    withdraw: async ({ reason }) => {
      await services.audit.putRevocation(key, {
        ...record,
        status: "Failed",
        finishedAt: new Date().toISOString(),
        detail: reason,
      });
      await rateLimiterOf(services).giveBack(key, request.requestId, nowMs);
    },
    nextStep: `Nothing was disabled: send the revocation again with a new requestId (${request.requestId} is spent).`,
  });
  if (!start.started) throw revocationInProgress(start.running);
  return { id, instanceId };
}
