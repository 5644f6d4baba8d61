// Activity: decides what the sweep does for each key of a batch: rotate when due, repair drift of pinned targets, or nothing.
import { retireNotBeforeMs, rotationDue, type KeyBinding } from "../../../lib/bindings";
import { ensureError } from "../../../lib/errors";
import type { KeyInfo } from "../../../lib/keys";
import { getServices } from "../../../lib/services";
import type { KeyAssessment, KeyAssessments, SweepKey } from "../types";
import { rotationCost, type WorkCost } from "../workCost";

export interface AssessKeyInput {
  key: SweepKey;
  /** Orchestration time: the sweep follows the (virtual) clock of the orchestration, never Date.now(). */
  nowMs: number;
  /** Rotate whatever is due or not, as long as the current version is enabled. */
  force?: boolean;
}

/** What rotating (or repairing) this key's bound targets will spend of Azure's limits. */
export function costOfTargets(
  binding: KeyBinding,
  action: "Rotate" | "RepairDrift",
  current: KeyInfo,
): WorkCost {
  return rotationCost({
    vaultName: binding.key.vaultName,
    isNewVersion: action === "Rotate",
    isHsmKey: current.keyType.endsWith("-HSM"),
    targets: binding.targets,
  });
}

/** The first pinned target not configured with the newest version, skipping linked pinned policies (manual action). */
async function driftOf(binding: KeyBinding, current: KeyInfo): Promise<string | undefined> {
  const { consumers } = getServices();
  for (const target of binding.targets.filter((candidate) => candidate.mode === "pinned")) {
    const reference = await consumers.get(target.kind).readCurrentReference(target);
    if (reference.isLinked && target.kind === "powerPlatformPolicy") continue;
    if (reference.configuredVersion !== current.version) {
      return `${target.resourceId} is on version ${reference.configuredVersion ?? "(none)"}, not the newest ${current.version}.`;
    }
  }
  return undefined;
}

/** Whether retireAfter has passed since the newest version was made and an older one is still enabled. */
async function olderVersionsToRetire(binding: KeyBinding, current: KeyInfo, nowMs: number): Promise<boolean> {
  const notBeforeMs = retireNotBeforeMs(binding.policy, current.createdOnMs);
  if (notBeforeMs === undefined || notBeforeMs > nowMs) return false;
  const versions = await getServices().keyVault.listVersionsUnordered(binding.key);
  return versions.some((version) => version.enabled && version.createdOnMs < current.createdOnMs);
}

/** Read-only. Failures make the key "None" with the reason, so one bad key never stops the sweep. */
export async function assessKey(input: AssessKeyInput): Promise<KeyAssessment> {
  const { key } = input;
  const none = (detail: string, currentVersion?: string): KeyAssessment => ({
    key,
    action: "None",
    detail,
    currentVersion,
  });
  try {
    const { bindings, keyVault } = getServices();
    const binding = await bindings.get(key);
    if (!binding || binding.targets.length === 0) return none("No bindings.");
    const current = await keyVault.getKey(key);
    if (!current.enabled)
      return none(`The current version ${current.version} is disabled (revoked?).`, current.version);
    const adopts = binding.policy.adoptDiscovered === true ? { adoptsDiscovered: true } : {};
    if (input.force) {
      return {
        key,
        action: "Rotate",
        detail: "Forced: every bound key is rotated, due or not.",
        currentVersion: current.version,
        cost: costOfTargets(binding, "Rotate", current),
        ...adopts,
      };
    }
    const due = rotationDue(binding.policy, current, input.nowMs);
    if (due.isDue) {
      const since = due.dueAtMs === undefined ? "" : ` since ${new Date(due.dueAtMs).toISOString()}`;
      return {
        key,
        action: "Rotate",
        detail: `Due (${due.reason})${since}.`,
        currentVersion: current.version,
        cost: costOfTargets(binding, "Rotate", current),
        ...adopts,
      };
    }
    const drift = await driftOf(binding, current);
    if (drift) {
      return {
        key,
        action: "RepairDrift",
        detail: drift,
        currentVersion: current.version,
        cost: costOfTargets(binding, "RepairDrift", current),
        ...adopts,
      };
    }
    const next =
      due.dueAtMs === undefined ? "nothing makes it due" : `due ${new Date(due.dueAtMs).toISOString()}`;
    const retirementDue = await olderVersionsToRetire(binding, current, input.nowMs);
    return { ...none(`Up to date; ${next}.`, current.version), ...(retirementDue ? { retirementDue } : {}) };
  } catch (error) {
    return none(`Could not be assessed: ${ensureError(error).message}`);
  }
}

export interface AssessKeysInput {
  keys: SweepKey[];
  nowMs: number;
  force?: boolean;
}

/**
 * A batch of keys in one activity (each assessed at once, in parallel): one history event each way
 * for the batch instead of per key keeps a sweep over hundreds of keys from replaying hundreds of
 * episodes. Read-only; never throws (a key that cannot be read is "None" with the reason).
 */
export async function assessKeys(input: AssessKeysInput): Promise<KeyAssessments> {
  const assessments = await Promise.all(
    input.keys.map((key) => assessKey({ key, nowMs: input.nowMs, ...(input.force ? { force: true } : {}) })),
  );
  return { assessments };
}
