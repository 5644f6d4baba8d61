// What GET /api/keyChanges/{id} returns: the audit record (written at start, after each move and at the end).
import type { KeyChangeRecord } from "../../lib/audit";
import { DomainError } from "../../lib/errors";
import type { Services } from "../../lib/services";

const KEY_CHANGE_ID = /^[0-9A-Za-z._-]{1,200}$/;

export async function readKeyChange(services: Pick<Services, "audit">, id: string): Promise<KeyChangeRecord> {
  if (!KEY_CHANGE_ID.test(id))
    throw new DomainError("BadRequest", "The key change id has characters a key change id never has.");
  const record = await services.audit.getKeyChange(id);
  if (!record) throw new DomainError("KeyChangeNotFound", `No key change has id ${id}.`);
  return record;
}
