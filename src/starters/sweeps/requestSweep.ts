// What POST /api/sweeps does once the body is read: validate, then plan (dry run) or start the sweep.
import type { DurableClient } from "durable-functions";
import { DomainError } from "../../lib/errors";
import type { Services } from "../../lib/services";
import { assessKey } from "../../orchestrations/sweepKeys/activities/assessKey";
import { ASSESS_CONCURRENCY } from "../../orchestrations/sweepKeys/limits";
import type { KeyAssessment, SweepInput } from "../../orchestrations/sweepKeys/types";
import { startSweep, type SweepStartOutcome } from "./startSweep";

export interface SweepAsk {
  reason: string;
  vaultName?: string;
  force?: boolean;
  dryRun?: boolean;
}

export interface SweepDryRun {
  dryRun: true;
  vaultName: string | null;
  force: boolean;
  /** Keys the sweep would start a rotation (or drift repair) for, and why. */
  wouldRotate: { keyId: string; action: "Rotate" | "RepairDrift"; reason: string }[];
  unchanged: { keyId: string; detail: string }[];
}

export type SweepAnswer =
  { kind: "dryRun"; plan: SweepDryRun } | { kind: "start"; outcome: SweepStartOutcome };

/** The same read-only assessment the sweep makes, on the wall clock; nothing is written. */
async function planSweep(
  services: Pick<Services, "allowList" | "bindings">,
  ask: SweepAsk,
  nowMs: number,
): Promise<SweepDryRun> {
  const vault = ask.vaultName?.toLowerCase();
  const keys = (await services.bindings.list())
    .filter((binding) => binding.targets.length > 0)
    .map((binding) => ({ ...binding.key }))
    .filter((key) => vault === undefined || key.vaultName.toLowerCase() === vault);
  const assessments: KeyAssessment[] = [];
  for (let start = 0; start < keys.length; start += ASSESS_CONCURRENCY) {
    const batch = keys.slice(start, start + ASSESS_CONCURRENCY);
    assessments.push(...(await Promise.all(batch.map((key) => assessKey({ key, nowMs, force: ask.force })))));
  }
  const keyIdOf = (assessment: KeyAssessment) => services.allowList.keyIdOf(assessment.key);
  const plan: SweepDryRun = {
    dryRun: true,
    vaultName: ask.vaultName ?? null,
    force: ask.force === true,
    wouldRotate: [],
    unchanged: [],
  };
  for (const assessment of assessments) {
    if (assessment.action === "None")
      plan.unchanged.push({ keyId: keyIdOf(assessment), detail: assessment.detail });
    else
      plan.wouldRotate.push({
        keyId: keyIdOf(assessment),
        action: assessment.action,
        reason: assessment.detail,
      });
  }
  return plan;
}

/** Refuses a vault not on the allow-list (UnknownVault) before anything is read or started. */
export async function requestSweep(
  client: DurableClient,
  services: Pick<Services, "allowList" | "bindings" | "leases">,
  ask: SweepAsk,
  nowMs: number,
): Promise<SweepAnswer> {
  const reason = ask.reason.trim();
  if (reason === "") throw new DomainError("BadRequest", "Give a reason: why the sweep runs now.");
  const vaultName = ask.vaultName === undefined ? undefined : services.allowList.find(ask.vaultName)?.name;
  if (ask.vaultName !== undefined && vaultName === undefined) {
    throw new DomainError(
      "UnknownVault",
      `Vault "${ask.vaultName}" is not in CMK_ALLOWED_VAULTS; sweep one of ${services.allowList.names().join(", ")}, or leave vaultName out.`,
    );
  }
  const checked: SweepAsk = { ...ask, reason, ...(vaultName ? { vaultName } : {}) };
  if (ask.dryRun) return { kind: "dryRun", plan: await planSweep(services, checked, nowMs) };
  const input: SweepInput = {
    reason,
    trigger: "Http",
    ...(vaultName ? { vaultName } : {}),
    ...(ask.force ? { force: true } : {}),
  };
  return { kind: "start", outcome: await startSweep(client, services.leases, input, nowMs) };
}
