// Activity: takes the key's lock over a running rotation (fence up, rotation terminated and recorded as interrupted).
import * as df from "durable-functions";
import type { InvocationContext } from "@azure/functions";
import { rotationInstanceId, type KeyIdentity } from "../../../lib/keys";
import { getServices } from "../../../lib/services";
import { activeInstanceStatus } from "../../../starters/activeInstanceStatus";
import { rotationIdOfInstance } from "../../../starters/rotations/rotationIdOfInstance";
import { runningKeyChangeOf } from "../../../starters/keyChanges/runningKeyChange";
import type { KeyActivityInput, TakeOverResult } from "../types";

/** The durable client binding this activity declares (an orchestration cannot terminate another instance). */
export const durableClientInput = df.input.durableClient();

/** Marks the interrupted rotation's record Failed with the reason, so its history says what happened. */
async function recordInterruption(
  key: KeyIdentity,
  rotationId: string,
  input: KeyActivityInput,
): Promise<void> {
  const { audit } = getServices();
  const detail = `Interrupted by emergency revocation ${input.revocationId}: the rotation was stopped before it could create or re-enable a version.`;
  const rotation = await audit.getRotation(rotationId);
  if (rotation && rotation.status === "Running") {
    await audit.putRotation(key, {
      ...rotation,
      status: "Failed",
      finishedAt: new Date(input.nowMs).toISOString(),
      detail,
    });
  }
  await audit.recordDecision({
    kind: "interruption",
    key,
    reason: "RevokedDuringRotation",
    detail,
    source: rotationId,
    operationId: input.revocationId,
    atMs: input.nowMs,
    id: `${input.revocationId}.interruption`,
  });
}

/** A change from or to the revoked key stops where it is; its record says which consumer is on which key. */
async function stopKeyChange(
  client: df.DurableClient,
  key: KeyIdentity,
  input: KeyActivityInput,
): Promise<void> {
  const services = getServices();
  const change = await runningKeyChangeOf(client, services, key);
  if (!change) return;
  await client.terminate(change.instanceId, `Stopped by emergency revocation ${input.revocationId}.`);
  const record = await services.audit.getKeyChange(change.changeId);
  if (record?.status === "Running") {
    const other = services.allowList.parseKeyId(change.role === "from" ? record.toKeyId : record.fromKeyId);
    const [from, to] = change.role === "from" ? [key, other] : [other, key];
    await services.audit.putKeyChange(from, to, {
      ...record,
      status: record.targets.some((target) => target.status === "Verified") ? "PartiallyApplied" : "Failed",
      finishedAt: new Date(input.nowMs).toISOString(),
      detail: `Stopped by emergency revocation ${input.revocationId}: targets marked Verified are on the new key, the others on the old one.`,
    });
  }
}

/**
 * Safe to run twice: raising the fence again is an upsert, and a rotation terminated by the first
 * run is no longer active. The fence goes up first, so a rotation activity already in flight is
 * refused by the gateway from now on.
 */
export async function takeOverKey(
  input: KeyActivityInput,
  context: InvocationContext,
): Promise<TakeOverResult> {
  const services = getServices();
  const key = services.allowList.identity(input.vaultName, input.keyName);
  await services.fences.raise(key, input.revocationId, input.nowMs);
  const client = df.getClient(context);
  await stopKeyChange(client, key, input);
  const rotation = await activeInstanceStatus(client, rotationInstanceId(key));
  if (!rotation) return { interruptedRotationId: null };
  const rotationId = rotationIdOfInstance(rotation);
  await client.terminate(rotation.instanceId, `Interrupted by emergency revocation ${input.revocationId}.`);
  await recordInterruption(key, rotationId, input);
  return { interruptedRotationId: rotationId };
}
