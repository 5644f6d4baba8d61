// What GET /api/rotations/{id} returns: the audit record, with live target states while the rotation runs.
import type { DurableClient } from "durable-functions";
import type { RotationRecord } from "../../lib/audit";
import { DomainError } from "../../lib/errors";
import { rotationInstanceId } from "../../lib/keys";
import type { Services } from "../../lib/services";
import type { RotationCustomStatus } from "../../orchestrations/rotateKey/types";

const ROTATION_ID_PATTERN = /^[0-9A-Za-z._-]{1,200}$/;

/** Throws RotationNotFound for unknown (or malformed) ids. */
export async function readRotation(
  client: DurableClient,
  services: Pick<Services, "allowList" | "audit">,
  id: string,
): Promise<RotationRecord> {
  if (!ROTATION_ID_PATTERN.test(id))
    throw new DomainError("BadRequest", "The rotation id has characters a rotation id never has.");
  const record = await services.audit.getRotation(id);
  if (!record) throw new DomainError("RotationNotFound", `No rotation has id ${id}.`);
  if (record.status !== "Running") return record;
  try {
    const key = services.allowList.parseKeyId(record.keyId);
    const status = await client.getStatus(rotationInstanceId(key));
    const live = status.customStatus as Partial<RotationCustomStatus> | undefined;
    if (live?.rotationId !== id || !Array.isArray(live.targets)) return record;
    return { ...record, newVersion: live.newVersion ?? record.newVersion, targets: live.targets };
  } catch {
    // The durable status is a nicety on top of the record; without it the record still answers.
    return record;
  }
}
