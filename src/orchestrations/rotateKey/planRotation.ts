// Step 1 of a rotation, shared by the load activity and the HTTP dry run: read the key and bindings, refuse early with a reason.
import { keyCompatibilityProblems } from "../../lib/bindings";
import { DomainError } from "../../lib/errors";
import type { KeyIdentity } from "../../lib/keys";
import type { Services } from "../../lib/services";
import type { RotationMode, RotationPlan } from "./types";

export interface PlanRequest {
  vaultName: string;
  keyName: string;
  mode: RotationMode;
  /** propagate mode: the version to roll out. */
  version?: string;
}

type PlanServices = Pick<Services, "allowList" | "keyVault" | "bindings">;

/** What stops a rotation for good, as opposed to a dependency hiccup worth retrying. */
function refusalOf(error: unknown): RotationPlan["refusal"] | undefined {
  if (error instanceof DomainError && error.isUserError) return { code: error.code, reason: error.message };
  return undefined;
}

/**
 * Builds the plan of a rotation. Caller mistakes and business refusals (unknown vault or key, no
 * bindings, a key size a target does not accept, a disabled current version, a version that is
 * not the newest) come back as `refusal`; dependency failures throw so the activity retries.
 */
export async function planRotation(services: PlanServices, request: PlanRequest): Promise<RotationPlan> {
  let keyId = "";
  try {
    const key = services.allowList.identity(request.vaultName, request.keyName);
    keyId = services.allowList.keyIdOf(key);
    const binding = await services.bindings.get(key);
    if (!binding || binding.targets.length === 0) {
      throw new DomainError(
        "BindingNotFound",
        `No bindings are registered for ${key.vaultName}/${key.keyName}; PUT /api/bindings/${key.vaultName}/${key.keyName} first.`,
      );
    }
    const current = await services.keyVault.getKey(key);
    if (!current.enabled) {
      throw new DomainError(
        "KeyRevoked",
        `The current version ${current.version} of ${key.vaultName}/${key.keyName} is disabled (revoked?); restore it before rotating.`,
      );
    }
    const problems = keyCompatibilityProblems(binding, current);
    if (problems.length > 0) {
      throw new DomainError(
        "IncompatibleKey",
        `Key ${key.vaultName}/${key.keyName} cannot be used by its targets: ${problems.join(" ")}`,
      );
    }
    const expiresAfter = binding.policy.expiresAfter ?? (await rotationPolicyExpiry(services, key));
    const plan: RotationPlan = {
      keyId,
      previousVersion: current.version,
      template: current,
      targets: binding.targets.map(({ kind, resourceId, mode }) => ({ kind, resourceId, mode })),
      ...(expiresAfter ? { expiresAfter } : {}),
      ...(binding.policy.retireAfter ? { retireAfter: binding.policy.retireAfter } : {}),
    };
    if (request.mode === "propagate")
      return { ...plan, ...(await propagationFacts(services, key, request.version, current.version)) };
    return plan;
  } catch (error) {
    const refusal = refusalOf(error);
    if (!refusal) throw error;
    return { keyId, targets: [], refusal };
  }
}

/**
 * Without a binding policy, new versions get the lifetime of the key's own rotation policy
 * (expiryTime), as a Key Vault rotation would. A policy that cannot be read means no expiry.
 */
async function rotationPolicyExpiry(services: PlanServices, key: KeyIdentity): Promise<string | undefined> {
  try {
    return (await services.keyVault.getRotationPolicy(key))?.expiresAfter;
  } catch {
    return undefined;
  }
}

/** propagate mode rolls out the newest version only; the version before it is the "previous" one. */
async function propagationFacts(
  services: PlanServices,
  key: { vaultName: string; keyName: string },
  version: string | undefined,
  newestVersion: string,
): Promise<Pick<RotationPlan, "previousVersion" | "versionCreatedOnMs">> {
  if (!version) throw new DomainError("BadRequest", "A propagation needs the version to roll out.");
  if (version !== newestVersion) {
    throw new DomainError(
      "Conflict",
      `Version ${version} of ${key.vaultName}/${key.keyName} is not the newest (${newestVersion}); only the newest is propagated.`,
    );
  }
  const versions = await services.keyVault.listVersions(key);
  const position = versions.findIndex((candidate) => candidate.version === version);
  return {
    versionCreatedOnMs: versions[position]?.createdOnMs,
    previousVersion: position >= 0 ? versions[position + 1]?.version : undefined,
  };
}

/**
 * Reads every target's current reference into the plan, in parallel, so the rotation's writes need
 * no read of their own. Doors call it before starting; a target that cannot be read is simply left
 * out (its write reads it, and reports the failure).
 */
export async function withCurrentReferences(
  services: Pick<Services, "consumers">,
  plan: RotationPlan,
): Promise<RotationPlan> {
  if (plan.refusal || plan.targets.length === 0) return plan;
  const read = await Promise.all(
    plan.targets.map(async (target) => {
      try {
        return [
          target.resourceId,
          await services.consumers.get(target.kind).readCurrentReference(target),
        ] as const;
      } catch {
        return undefined;
      }
    }),
  );
  const currentReferences = Object.fromEntries(read.filter((entry) => entry !== undefined));
  return { ...plan, currentReferences };
}
