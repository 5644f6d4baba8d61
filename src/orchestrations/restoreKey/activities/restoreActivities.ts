// Activities of restoreKey: read the revocation, re-enable exactly its versions, lower its fence.
import type { RevocationRecord } from "../../../lib/audit";
import { DomainError } from "../../../lib/errors";
import { enableVersions as enableAll } from "../../../lib/revocations";
import { getServices } from "../../../lib/services";
import type { EnableVersionsInput, EnableVersionsResult, LowerFenceInput } from "../types";

/** Read-only. */
export async function loadRevocation(input: { revocationId: string }): Promise<RevocationRecord> {
  const record = await getServices().audit.getRevocation(input.revocationId);
  if (!record) throw new DomainError("RevocationNotFound", `No revocation has id ${input.revocationId}.`);
  return record;
}

/** Safe to run twice (enabling is idempotent); allowed under the fence because it names this revocation. Needs keys/update. */
export async function enableVersions(input: EnableVersionsInput): Promise<EnableVersionsResult> {
  const { allowList, keyVault } = getServices();
  const key = allowList.identity(input.vaultName, input.keyName);
  return { results: await enableAll(keyVault, key, input.versions, input.revocationId) };
}

/** Lowers the fence only if it is still this revocation's; true when it was lowered now. */
export async function lowerFence(input: LowerFenceInput): Promise<boolean> {
  const { allowList, fences } = getServices();
  return fences.lower(allowList.identity(input.vaultName, input.keyName), input.revocationId);
}
