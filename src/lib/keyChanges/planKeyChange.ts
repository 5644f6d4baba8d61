// Preflight and plan of a key change: every consumer of the old key, every check before any write.
import type { BindingTarget } from "../bindings";
import { consumerSpec, type ConsumerKind } from "../consumers";
import { DomainError, ensureError } from "../errors";
import { keyPathOf, type KeyInfo } from "../keys";
import type { Services } from "../services";
import type { VaultFacts } from "./vaultAccess";
import type {
  KeyChangePlan,
  KeyChangeRequest,
  PlannedPolicy,
  PlannedStorageAccount,
  PreflightFinding,
} from "./types";

type PlanServices = Pick<
  Services,
  "allowList" | "keyVault" | "bindings" | "discovery" | "consumers" | "vaultAccess" | "keyChange" | "settings"
>;

interface Candidate {
  resourceId: string;
  kind: ConsumerKind;
  mode: BindingTarget["mode"];
  isRegistered: boolean;
}

/** How environments are paced (CMK_KEY_CHANGE_PARALLEL_ENVIRONMENTS), as the dry run says it. */
function environmentPace(parallelEnvironments: number): string {
  return parallelEnvironments > 1
    ? `Up to ${parallelEnvironments} environments at a time, each`
    : "Each environment in turn";
}

/** Registered targets first, then what discovery finds using the old key, once each. */
async function candidatesOf(services: PlanServices, request: KeyChangeRequest): Promise<Candidate[]> {
  const bound = (await services.bindings.get(request.from))?.targets ?? [];
  const found = await services.discovery.find(request.from);
  const byId = new Map<string, Candidate>();
  for (const target of bound) byId.set(target.resourceId.toLowerCase(), { ...target, isRegistered: true });
  for (const row of found) {
    if (!byId.has(row.resourceId.toLowerCase()))
      byId.set(row.resourceId.toLowerCase(), {
        resourceId: row.resourceId,
        kind: row.kind,
        mode: row.mode,
        isRegistered: false,
      });
  }
  return [...byId.values()];
}

function keyFindings(
  toKey: KeyInfo | undefined,
  nowMs: number,
  toKeyId: string,
  kinds: Set<ConsumerKind>,
): PreflightFinding[] {
  if (!toKey) return [];
  const findings: PreflightFinding[] = [];
  if (!toKey.enabled)
    findings.push({
      code: "KeyNotUsable",
      message: `The new key ${toKeyId} is disabled: enable its current version or create a new one.`,
    });
  if (toKey.expiresOnMs !== undefined && toKey.expiresOnMs <= nowMs)
    findings.push({
      code: "KeyNotUsable",
      message: `The new key ${toKeyId} expired at ${new Date(toKey.expiresOnMs).toISOString()}: rotate it first.`,
    });
  for (const kind of kinds) {
    const problem = consumerSpec(kind).keyProblem(toKey.keyType, toKey.keySize);
    if (problem)
      findings.push({ code: "KeyNotAccepted", message: `${problem} Choose a key every consumer accepts.` });
  }
  return findings;
}

function vaultFindings(vault: VaultFacts): PreflightFinding[] {
  const findings: PreflightFinding[] = [];
  if (!vault.isSoftDeleteEnabled)
    findings.push({
      resourceId: vault.armId,
      code: "SoftDeleteDisabled",
      message: `Vault ${vault.vaultName} has soft delete off: customer-managed keys need it (az keyvault update --name ${vault.vaultName} --enable-soft-delete true).`,
    });
  if (!vault.isPurgeProtectionEnabled)
    findings.push({
      resourceId: vault.armId,
      code: "PurgeProtectionDisabled",
      message: `Vault ${vault.vaultName} has purge protection off: customer-managed keys need it (az keyvault update --name ${vault.vaultName} --enable-purge-protection true).`,
    });
  return findings;
}

async function accessFinding(
  services: PlanServices,
  vault: VaultFacts,
  resourceId: string,
  principalId: string | undefined,
  keyName: string,
  whose: string,
): Promise<PreflightFinding | undefined> {
  if (!principalId)
    return {
      resourceId,
      code: "MissingKeyAccess",
      message: `${whose} has no managed identity to unwrap with: assign one, then grant it the key.`,
    };
  const verdict = await services.vaultAccess.canUseKey(vault, principalId, keyName);
  if (verdict.canUse) return undefined;
  return {
    resourceId,
    code: "MissingKeyAccess",
    message: `${whose} (principal ${principalId}) cannot use ${keyName} in ${vault.vaultName}. Run: ${verdict.grantLine}`,
  };
}

/**
 * Reads everything and writes nothing. Needs what discovery needs, keys/get on the new key,
 * Microsoft.KeyVault/vaults/read and Microsoft.Authorization/roleAssignments/read on the new vault,
 * storage account and enterprise policy read, and Power Platform admin read.
 */
export async function planKeyChange(
  services: PlanServices,
  request: KeyChangeRequest,
  nowMs: number,
): Promise<KeyChangePlan> {
  const findings: PreflightFinding[] = [];
  const warnings: string[] = [];
  const toKeyId = services.allowList.keyIdOf(request.to);
  // The old key must exist (404 otherwise); listing works even when its versions are disabled.
  await services.keyVault.listVersionsUnordered(request.from);
  let toKey: KeyInfo | undefined;
  try {
    toKey = await services.keyVault.getKey(request.to);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    if (error.code === "KeyNotFound" || error.code === "KeyVersionNotFound")
      findings.push({
        code: "KeyNotFound",
        message: `The new key ${toKeyId} does not exist: create it first (RSA 2048 or 3072 serves every consumer).`,
      });
    else if (error.code === "KeyDisabled")
      findings.push({
        code: "KeyNotUsable",
        message: `The new key ${toKeyId} is disabled: enable its current version.`,
      });
    else throw error;
  }
  const vault = await services.vaultAccess.readVault(request.to.vaultName);
  findings.push(...vaultFindings(vault));

  let candidates = await candidatesOf(services, request);
  const skipped: KeyChangePlan["skipped"] = [];
  if (request.targets) {
    const wanted = new Set(request.targets.map((id) => id.toLowerCase()));
    for (const id of request.targets) {
      if (!candidates.some((candidate) => candidate.resourceId.toLowerCase() === id.toLowerCase()))
        findings.push({
          resourceId: id,
          code: "UnknownTarget",
          message: `${id} is neither bound to ${keyPathOf(request.from)} nor found using it: check the id.`,
        });
    }
    for (const candidate of candidates.filter((c) => !wanted.has(c.resourceId.toLowerCase())))
      skipped.push({
        resourceId: candidate.resourceId,
        kind: candidate.kind,
        detail: "Left out by the request's targets; stays on the old key.",
      });
    candidates = candidates.filter((candidate) => wanted.has(candidate.resourceId.toLowerCase()));
  }
  findings.push(
    ...keyFindings(toKey, nowMs, toKeyId, new Set(candidates.map((candidate) => candidate.kind))),
  );

  const storageAccounts: PlannedStorageAccount[] = [];
  const policies: PlannedPolicy[] = [];
  const fromVaultUrl = services.allowList.urlOf(request.from.vaultName);
  for (const candidate of candidates) {
    const target: BindingTarget = {
      kind: candidate.kind,
      resourceId: candidate.resourceId,
      mode: candidate.mode,
    };
    try {
      if (candidate.kind === "storageAccount") {
        const facts = await services.keyChange.storage.readFacts(target);
        const usesOldKey =
          facts.keyName?.toLowerCase() === request.from.keyName.toLowerCase() &&
          (facts.vaultUrl ?? "").toLowerCase().startsWith(fromVaultUrl.toLowerCase());
        const usesNewKey = facts.keyName?.toLowerCase() === request.to.keyName.toLowerCase();
        if (!usesOldKey && !usesNewKey) {
          skipped.push({
            resourceId: candidate.resourceId,
            kind: candidate.kind,
            detail: `Bound, but uses ${facts.keyName ?? "no key"} in ${facts.vaultUrl ?? "no vault"}: left alone.`,
          });
          continue;
        }
        const finding = await accessFinding(
          services,
          vault,
          candidate.resourceId,
          facts.principalId,
          request.to.keyName,
          `Storage account ${candidate.resourceId.split("/").pop() ?? ""}'s encryption identity`,
        );
        if (finding) findings.push(finding);
        storageAccounts.push({
          resourceId: candidate.resourceId,
          mode: candidate.mode,
          isRegistered: candidate.isRegistered,
        });
      } else {
        const old = await services.keyChange.policies.read(candidate.resourceId);
        if (!old.systemId)
          throw new DomainError(
            "TargetMismatch",
            `Enterprise policy ${candidate.resourceId} has no systemId.`,
          );
        const environments = await services.consumers.powerPlatformPolicy().listLinkedEnvironments(target);
        const existing = await services.keyChange.policies.findFor(request.to, old);
        if (existing) {
          const finding = await accessFinding(
            services,
            vault,
            existing.resourceId,
            existing.principalId,
            request.to.keyName,
            `Enterprise policy ${existing.name}'s identity`,
          );
          if (finding) findings.push(finding);
        } else {
          warnings.push(
            `A new enterprise policy for ${request.to.keyName} will be created beside ${old.name} (${old.location}); its identity must be granted the new key (and the old one, for database restore) before any environment moves: the change stops as PartiallyApplied with the role line, and posting it again resumes.`,
          );
        }
        policies.push({
          resourceId: candidate.resourceId,
          mode: candidate.mode,
          isRegistered: candidate.isRegistered,
          systemId: old.systemId,
          environments: environments.map((environment) => ({
            id: environment.id,
            ...(environment.displayName ? { displayName: environment.displayName } : {}),
          })),
          ...(existing ? { existingTargetPolicyId: existing.resourceId } : {}),
        });
      }
    } catch (error) {
      if (error instanceof DomainError && error.code === "ResourceNotFound") {
        skipped.push({
          resourceId: candidate.resourceId,
          kind: candidate.kind,
          detail: "Not found in Azure: left out.",
        });
        continue;
      }
      findings.push({
        resourceId: candidate.resourceId,
        code: "ConsumerUnreadable",
        message: `${candidate.resourceId} could not be read (${ensureError(error).message.split("\n")[0]}): grant the app read on it, then try again.`,
      });
    }
  }
  if (
    storageAccounts.length + policies.length === 0 &&
    !findings.some((finding) => finding.code === "UnknownTarget")
  )
    findings.push({
      code: "NoConsumers",
      message: `Nothing bound to or found using ${keyPathOf(request.from)} to change: bind its consumers or check CMK_DISCOVERY_SCOPES.`,
    });

  return {
    fromKeyId: services.allowList.keyIdOf(request.from),
    toKeyId,
    strategy: request.strategy,
    toVaultUrl: services.allowList.urlOf(request.to.vaultName),
    toVaultArmId: vault.armId,
    toVersion: toKey?.version ?? "",
    storageAccounts,
    policies,
    skipped,
    findings,
    warnings,
    steps: [
      "Preflight: the new key, its vault and every consumer's access (done: see findings)",
      "Storage accounts: set the new vault and key, then read currentVersionedKeyIdentifier",
      "Power Platform: find or create the policy for the new key and check its identity's access",
      `${environmentPace(services.settings.keyChangeParallelEnvironments)}: ` +
        (request.strategy === "documented"
          ? "unlink from the old policy, wait, link to the new one, wait, verify Enabled (two short downtimes)"
          : "link to the new policy without unlinking (direct: not in Microsoft's docs), wait, verify Enabled"),
      "Bindings move to the new key target by target; the old key and its access stay untouched, retirable 30 days after the change",
    ],
  };
}
