// Step 1 of a rotation, shared by the load activity and the HTTP dry run: read the key and bindings, refuse early with a reason.
import { keyCompatibilityProblems, type KeyBinding } from "../../lib/bindings";
import { DomainError, ensureError, isDomainError } from "../../lib/errors";
import type { KeyIdentity } from "../../lib/keys";
import type { Services } from "../../lib/services";
import type { Refusal, RotationMode, RotationPlan, TargetRef } from "./types";

export interface PlanRequest {
  vaultName: string;
  keyName: string;
  mode: RotationMode;
  /** propagate mode: the version to roll out. */
  version?: string;
  /** What a sweep's Resource Graph snapshot found using the key; absent = ask Resource Graph now. */
  discovered?: readonly TargetRef[];
}

type PlanServices = Pick<Services, "allowList" | "keyVault" | "bindings" | "discovery">;

/** What stops a rotation for good, as opposed to a dependency hiccup worth retrying. */
function refusalOf(error: unknown): Refusal | undefined {
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
    // Key Vault refuses to read a disabled current version (KeyDisabled): the key is revoked.
    const current = await services.keyVault.getKey(key).catch((error: unknown) => {
      if (isDomainError(error, "KeyDisabled")) return undefined;
      throw error;
    });
    if (!current?.enabled) {
      throw new DomainError(
        "KeyRevoked",
        `The current version${current ? ` ${current.version}` : ""} of ${key.vaultName}/${key.keyName} is disabled (revoked?); restore it before rotating.`,
      );
    }
    const problems = keyCompatibilityProblems(binding, current);
    if (problems.length > 0) {
      throw new DomainError(
        "IncompatibleKey",
        `Key ${key.vaultName}/${key.keyName} cannot be used by its targets: ${problems.join(" ")}`,
      );
    }
    const expiry = binding.policy.expiresAfter
      ? { expiresAfter: binding.policy.expiresAfter }
      : await rotationPolicyExpiry(services, key);
    const found = await unregisteredConsumers(services, key, binding, request.discovered);
    const bound = binding.targets.map(({ kind, resourceId, mode }) => ({ kind, resourceId, mode }));
    const adopts = binding.policy.adoptDiscovered === true;
    const warnings = [...(expiry.warnings ?? []), ...found.warnings];
    const plan: RotationPlan = {
      keyId,
      previousVersion: current.version,
      template: current,
      targets: adopts ? [...bound, ...found.unregistered] : bound,
      ...(expiry.expiresAfter ? { expiresAfter: expiry.expiresAfter } : {}),
      ...(warnings.length > 0 ? { warnings } : {}),
      ...(found.unregistered.length > 0 ? { unregistered: found.unregistered } : {}),
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
 * Consumers discovery finds that the binding does not list, in the mode they use. The rotation
 * reports them (adoptDiscovered: also updates or verifies them). Discovery failing does not stop
 * a rotation (retirement, which could cut a consumer off, checks again and disables nothing when
 * it cannot see): the plan says so instead. A sweep passes what its one Resource Graph snapshot
 * found (`discovered`, minutes old at most, as near-real-time as Resource Graph itself), so that
 * hundreds of rotations do not each spend two of Resource Graph's 15 queries per 5 s.
 */
async function unregisteredConsumers(
  services: PlanServices,
  key: KeyIdentity,
  binding: KeyBinding,
  discovered: readonly TargetRef[] | undefined,
): Promise<{ unregistered: TargetRef[]; warnings: string[] }> {
  const keyPath = `${key.vaultName}/${key.keyName}`;
  let found: readonly TargetRef[];
  try {
    found = discovered ?? (await services.discovery.find(key));
  } catch (error) {
    return {
      unregistered: [],
      warnings: [
        `Discovery could not list the consumers of ${keyPath} (${ensureError(error).message}): only bound targets are known to this rotation.`,
      ],
    };
  }
  const isBound = (resourceId: string) =>
    binding.targets.some((target) => target.resourceId.toLowerCase() === resourceId.toLowerCase());
  const unregistered = found
    .filter((consumer) => !isBound(consumer.resourceId))
    .map(({ kind, resourceId, mode }) => ({ kind, resourceId, mode }));
  if (unregistered.length === 0) return { unregistered, warnings: [] };
  const list = unregistered.map((target) => `${target.resourceId} (${target.mode})`).join(", ");
  return {
    unregistered,
    warnings: [
      binding.policy.adoptDiscovered
        ? `Adopted consumers found by discovery (not in the binding): ${list}.`
        : `Unregistered consumers of ${keyPath} are not updated by this rotation: ${list}. Register them (cmk-rotator discover ${keyPath} --register) or set policy.adoptDiscovered.`,
    ],
  };
}

/**
 * Without a binding policy, new versions get the lifetime of the key's own rotation policy
 * (expiryTime), as a Key Vault rotation would. A key without a policy means no expiry. A policy
 * this identity may not read also means no expiry, but never silently: the plan (and so the dry
 * run and the rotation's record) says so and names the permission. Any other failure throws.
 */
async function rotationPolicyExpiry(
  services: PlanServices,
  key: KeyIdentity,
): Promise<Pick<RotationPlan, "expiresAfter" | "warnings">> {
  try {
    const expiresAfter = (await services.keyVault.getRotationPolicy(key))?.expiresAfter;
    return expiresAfter ? { expiresAfter } : {};
  } catch (error) {
    if (!isDomainError(error, "DependencyForbidden")) throw error;
    return {
      warnings: [
        `The rotation policy of ${key.vaultName}/${key.keyName} could not be read (${error.message}), so the new version gets no expiry: grant the app's identity keys/getrotationpolicy (Microsoft.KeyVault/vaults/keys/rotationpolicy/read), or set expiresAfter in the binding's policy.`,
      ],
    };
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
      "StaleVersion",
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
