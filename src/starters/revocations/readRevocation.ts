// What GET /api/revocations/{id} returns: the audit record as the last writer left it (no live step).
import type { RevocationRecord } from "../../lib/audit";
import { DomainError } from "../../lib/errors";
import type { Services } from "../../lib/services";

const REVOCATION_ID_PATTERN = /^[0-9A-Za-z._-]{1,200}$/;

/** Throws RevocationNotFound for unknown (or malformed) ids. */
export async function readRevocation(
  services: Pick<Services, "audit">,
  id: string,
): Promise<RevocationRecord> {
  if (!REVOCATION_ID_PATTERN.test(id)) {
    throw new DomainError("RevocationNotFound", "No revocation has that id (ids are UUIDs).");
  }
  const record = await services.audit.getRevocation(id);
  if (!record) throw new DomainError("RevocationNotFound", `No revocation has id ${id}.`);
  return record;
}
