// Activities: write the revocation record (audit) and publish its outcome (notification topic, when configured).
import type { RevocationRecord } from "../../../lib/audit";
import { ensureError } from "../../../lib/errors";
import { getServices } from "../../../lib/services";
import { getTelemetry } from "../../../lib/telemetry";

export interface RecordRevocationInput {
  vaultName: string;
  keyName: string;
  record: RevocationRecord;
}

/** Upsert by revocation id and startedAt: running it twice writes the same row. */
export async function recordRevocation(input: RecordRevocationInput): Promise<void> {
  const { audit, allowList } = getServices();
  await audit.putRevocation(allowList.identity(input.vaultName, input.keyName), input.record);
}

/** Revocation and restore publish once, at their end: the outcome in telemetry is recorded there. */
function reportOutcome(record: RevocationRecord): void {
  const restore = record.restore;
  getTelemetry().operationFinished(
    restore
      ? { kind: "restore", operationId: `${record.id}.restore`, keyId: record.keyId, outcome: restore.status }
      : { kind: "revocation", operationId: record.id, keyId: record.keyId, outcome: record.status },
  );
}

/** A topic outage must not undo a revocation that happened: failures are returned, not thrown. */
export async function publishRevocation(
  input: RecordRevocationInput,
): Promise<{ published: boolean; error?: string }> {
  const { notifications, allowList } = getServices();
  reportOutcome(input.record);
  try {
    const key = allowList.identity(input.vaultName, input.keyName);
    return { published: await notifications.publish({ kind: "revocation", key, record: input.record }) };
  } catch (error) {
    return { published: false, error: ensureError(error).message };
  }
}
