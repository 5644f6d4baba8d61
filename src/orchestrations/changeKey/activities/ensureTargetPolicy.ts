// Activity: find or create the enterprise policy for the new key, and check its identity may use the key.
import { getServices } from "../../../lib/services";
import { DomainError, refusalOrRethrow } from "../../../lib/errors";
import type { EnsurePolicyInput, EnsurePolicyResult } from "../types";
import { assertNeitherKeyRevoked } from "./keyChangeGuard";

/**
 * Same region, subscription and resource group as the old policy, system identity. Creating it twice
 * is one PUT of the same name. Its identity must reach the new key (and, for database restore, the
 * old one); when it cannot yet, the change stops before any environment moves, with the line to run.
 * A refusal (KeyRevoked while either key is being revoked, a policy ARM refuses) comes back as
 * `{refusal}`; throttling, outages and a policy whose identity is not there yet throw and are retried.
 * Needs enterprisePolicies/read and /write, vaults/read and roleAssignments/read.
 */
export async function ensureTargetPolicy(input: EnsurePolicyInput): Promise<EnsurePolicyResult> {
  try {
    return await ensureOnce(input);
  } catch (error) {
    return refusalOrRethrow(error);
  }
}

async function ensureOnce(input: EnsurePolicyInput): Promise<EnsurePolicyResult> {
  const services = getServices();
  await assertNeitherKeyRevoked(services, input.from, input.to);
  const { policies } = services.keyChange;
  const old = await policies.read(input.oldPolicyId);
  const policy =
    (input.existingTargetPolicyId ? await policies.read(input.existingTargetPolicyId) : undefined) ??
    (await policies.findFor(input.to, old)) ??
    (await policies.createFor(input.to, old, input.toVaultArmId, input.version));
  if (!policy.systemId || !policy.principalId)
    throw new DomainError(
      "DependencyFailed",
      `Enterprise policy ${policy.resourceId} has no systemId or identity yet.`,
    );
  const problems: string[] = [];
  for (const key of [input.to, input.from]) {
    const vault = await services.vaultAccess.readVault(key.vaultName);
    const verdict = await services.vaultAccess.canUseKey(vault, policy.principalId, key.keyName);
    if (!verdict.canUse) problems.push(verdict.grantLine);
  }
  const target = { resourceId: policy.resourceId, systemId: policy.systemId };
  await services.audit.recordTargetAttempt({
    operationId: input.changeId,
    resourceId: policy.resourceId,
    kind: "powerPlatformPolicy",
    mode: input.version ? "pinned" : "versionless",
    step: "ensurePolicy",
    attempt: 1,
    status: problems.length === 0 ? "Verified" : "ActionRequired",
    detail:
      problems.length === 0
        ? "Policy ready; its identity can use the new and the old key."
        : problems.join(" ; "),
    atMs: input.atMs,
  });
  if (problems.length > 0)
    return {
      policy: target,
      canUse: false,
      detail: `Policy ${policy.name}'s identity (principal ${policy.principalId}) cannot use the keys yet. Run: ${problems.join(" && ")}; then post the same key change again to resume (role assignments can take 5 minutes to apply).`,
    };
  return { policy: target, canUse: true, detail: `Policy ${policy.name} is ready.` };
}
