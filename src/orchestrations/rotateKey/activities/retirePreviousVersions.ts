// Activity: step 6, disable versions older than the rotated-in one that no target uses. Never deletes anything.
import type { KeyIdentity } from "../../../lib/keys";
import { ensureError } from "../../../lib/errors";
import { getServices } from "../../../lib/services";
import type { RetirementInput, RetirementResult } from "../types";

/** Every version some target is configured with or really uses; undefined when a target cannot be read. */
async function versionsInUse(
  input: RetirementInput,
  key: KeyIdentity,
): Promise<Map<string, string> | { unreadable: string }> {
  const { consumers } = getServices();
  const inUse = new Map<string, string>();
  for (const target of input.targets) {
    try {
      const reference = await consumers.get(target.kind).readCurrentReference(target);
      for (const version of [reference.configuredVersion, reference.versionInUse]) {
        if (version) inUse.set(version, target.resourceId);
      }
    } catch (error) {
      return {
        unreadable: `${target.resourceId} could not be read (${ensureError(error).message}) for ${key.vaultName}/${key.keyName}`,
      };
    }
  }
  return inUse;
}

/**
 * Disables each enabled version older than `keepVersion` unless a target pins or uses it. When a
 * target cannot be read nothing is disabled (an unknown pin must not be cut off). Running it twice
 * finds the versions already disabled and does nothing more.
 */
export async function retirePreviousVersions(input: RetirementInput): Promise<RetirementResult> {
  const { keyVault, audit } = getServices();
  const key = { vaultName: input.vaultName, keyName: input.keyName };
  const versions = await keyVault.listVersions(key);
  const keepIndex = versions.findIndex((candidate) => candidate.version === input.keepVersion);
  const candidates =
    keepIndex < 0 ? [] : versions.slice(keepIndex + 1).filter((candidate) => candidate.enabled);
  const result: RetirementResult = { disabledVersions: [], retainedVersions: [] };
  if (candidates.length === 0) return result;
  const inUse = await versionsInUse(input, key);
  for (const candidate of candidates) {
    const usedBy = inUse instanceof Map ? inUse.get(candidate.version) : undefined;
    const retainReason =
      "unreadable" in inUse
        ? `Kept: ${inUse.unreadable}.`
        : usedBy
          ? `Kept: ${usedBy} still uses it.`
          : undefined;
    if (retainReason) {
      result.retainedVersions.push({ version: candidate.version, reason: retainReason });
    } else {
      await keyVault.setVersionEnabled(key, candidate.version, false);
      result.disabledVersions.push(candidate.version);
    }
    await audit.recordDecision({
      id: `${input.rotationId}.retire.${candidate.version}`,
      kind: "retirement",
      key,
      reason: retainReason ? "VersionRetained" : "VersionRetired",
      detail:
        retainReason ??
        `Disabled version ${candidate.version}; ${input.keepVersion} replaced it. Nothing was deleted.`,
      operationId: input.rotationId,
      atMs: input.nowMs,
    });
  }
  return result;
}
