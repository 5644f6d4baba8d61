// Activity: step 6, disable versions older than the rotated-in one that no consumer uses, registered or not. Never deletes anything.
import type { BindingTarget } from "../../../lib/bindings";
import { versionsHeldBy, type ConsumerRow } from "../../../lib/discovery";
import type { KeyIdentity } from "../../../lib/keys";
import { ensureError } from "../../../lib/errors";
import { KEY_CHANGE_RETENTION_MS } from "../../../lib/keyChanges/retention";
import { getServices, type Services } from "../../../lib/services";
import type { RetirementInput, RetirementResult } from "../types";

/** The binding as it is now (it may have grown since the rotation began) and the rotation's own targets. */
async function targetsToCheck(services: Services, key: KeyIdentity, planned: readonly BindingTarget[]) {
  const current = (await services.bindings.get(key))?.targets ?? [];
  const targets = [...current];
  for (const target of planned) {
    if (!targets.some((known) => known.resourceId.toLowerCase() === target.resourceId.toLowerCase()))
      targets.push(target);
  }
  return targets;
}

/**
 * Every consumer of the key, bound or found by discovery, with the versions each pins or uses; or
 * why that cannot be known (a consumer or Resource Graph could not be read), in which case
 * nothing may be disabled: an unknown pin must not be cut off.
 */
async function consumersNow(
  services: Services,
  input: RetirementInput,
  key: KeyIdentity,
): Promise<ConsumerRow[] | { unknown: string }> {
  try {
    return await services.discovery.consumersOf(key, await targetsToCheck(services, key, input.targets));
  } catch (error) {
    return {
      unknown: `the consumers of ${key.vaultName}/${key.keyName} could not all be read (${ensureError(error).message}); the next sweep tries again`,
    };
  }
}

/** Until when a key change keeps this (old) key's versions, when that is still ahead. */
async function keyChangeHoldOf(
  services: Services,
  key: KeyIdentity,
  nowMs: number,
): Promise<number | undefined> {
  const mark = await services.keyChangeMarks.get(key);
  if (mark?.role !== "from") return undefined;
  // While the change runs its date is not known yet: hold as if it ended now.
  const untilMs = mark.retirableAfterMs ?? Number.POSITIVE_INFINITY;
  return untilMs > nowMs ? (Number.isFinite(untilMs) ? untilMs : nowMs + KEY_CHANGE_RETENTION_MS) : undefined;
}

/**
 * Disables each enabled version older than `keepVersion` unless a consumer (registered or only
 * discovered) pins or uses it. Records which consumer kept which version. Running it twice finds
 * the versions already disabled and does nothing more. Needs keys/list, keys/update, read of
 * storage accounts and enterprise policies, and Resource Graph.
 */
export async function retirePreviousVersions(input: RetirementInput): Promise<RetirementResult> {
  const services = getServices();
  const { keyVault, audit } = services;
  const key = { vaultName: input.vaultName, keyName: input.keyName };
  const versions = await keyVault.listVersions(key);
  const keepIndex = versions.findIndex((candidate) => candidate.version === input.keepVersion);
  const candidates =
    keepIndex < 0 ? [] : versions.slice(keepIndex + 1).filter((candidate) => candidate.enabled);
  const result: RetirementResult = { disabledVersions: [], retainedVersions: [] };
  if (candidates.length === 0) return result;
  const heldUntilMs = await keyChangeHoldOf(services, key, input.nowMs);
  const consumers: ConsumerRow[] | { unknown: string } =
    heldUntilMs === undefined
      ? await consumersNow(services, input, key)
      : {
          unknown: `key change replaced this key; its versions stay enabled until ${new Date(heldUntilMs).toISOString()} (30 days after the change)`,
        };
  const held = Array.isArray(consumers) ? versionsHeldBy(consumers) : undefined;
  const registrationOf = (resourceId: string) =>
    Array.isArray(consumers)
      ? consumers.find((row) => row.resourceId === resourceId)?.registration
      : undefined;
  for (const candidate of candidates) {
    const usedBy = held?.get(candidate.version);
    const retainReason =
      "unknown" in consumers
        ? `Kept: ${consumers.unknown}.`
        : usedBy
          ? `Kept: ${usedBy} (${registrationOf(usedBy) ?? "Registered"}) still uses it.`
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
