// What POST /api/rotations does once the body is read: validate the key, plan, then dry-run or start.
import type { DurableClient } from "durable-functions";
import type { RotationRecord } from "../../lib/audit";
import { DomainError } from "../../lib/errors";
import type { Services } from "../../lib/services";
import { planRotation } from "../../orchestrations/rotateKey/planRotation";
import { auditedFirstRecord, startRotation, type StartOutcome } from "./startRotation";
import type { RotateKeyInput, RotationPlan, TargetRef } from "../../orchestrations/rotateKey/types";

export interface RotationAsk {
  keyId: unknown;
  reason?: string;
  dryRun?: boolean;
}

export interface DryRunPlan {
  dryRun: true;
  keyId: string;
  previousVersion?: string;
  /** A rotation creates a new version, then writes and verifies each target as below. */
  steps: string[];
  targets: (TargetRef & { plannedAction: string })[];
  newVersionExpiresAfter?: string;
  retireAfter?: string;
  /** Consumers discovery found that the binding does not list (adopted as targets when the policy says so). */
  unregistered?: TargetRef[];
  /** What the rotation would go ahead without (e.g. an unreadable rotation policy: no expiry). */
  warnings?: string[];
}

export type RotationAnswer = { kind: "dryRun"; plan: DryRunPlan } | { kind: "start"; outcome: StartOutcome };

function plannedAction(target: TargetRef): string {
  if (target.mode === "versionless") {
    return target.kind === "storageAccount"
      ? "No write: the account follows the newest version; verify it uses the new version within 26 h."
      : "No write: the policy follows the newest version; verify it stays Healthy.";
  }
  return target.kind === "storageAccount"
    ? "Set the account's key version to the new version, then read back currentVersionedKeyIdentifier."
    : "Set the policy's key version if it is not linked to environments; a linked policy needs manual action (ActionRequired).";
}

function dryRunOf(plan: RotationPlan): DryRunPlan {
  return {
    dryRun: true,
    keyId: plan.keyId,
    previousVersion: plan.previousVersion,
    steps: [
      "Create a new version tagged with the rotation id",
      "Update and verify every target in parallel",
      "Record and publish the outcome",
      plan.retireAfter
        ? `Disable older unpinned versions after ${plan.retireAfter}`
        : "Keep older versions enabled (no retireAfter)",
    ],
    targets: plan.targets.map((target) => ({ ...target, plannedAction: plannedAction(target) })),
    ...(plan.expiresAfter ? { newVersionExpiresAfter: plan.expiresAfter } : {}),
    ...(plan.retireAfter ? { retireAfter: plan.retireAfter } : {}),
    ...(plan.unregistered ? { unregistered: plan.unregistered } : {}),
    ...(plan.warnings ? { warnings: plan.warnings } : {}),
  };
}

/**
 * Refuses what would only be refused later (unknown vault or key, spoofed origin, no bindings,
 * incompatible key) with the domain error, so the caller gets a 4xx and nothing starts.
 */
export async function requestRotation(
  client: DurableClient,
  services: Pick<Services, "allowList" | "keyVault" | "bindings" | "audit" | "discovery" | "keyChangeMarks">,
  ask: RotationAsk,
): Promise<RotationAnswer> {
  const parsed = services.allowList.parseKeyId(ask.keyId, { versionless: "required" });
  const plan = await planRotation(services, {
    vaultName: parsed.vaultName,
    keyName: parsed.keyName,
    mode: "rotate",
  });
  if (plan.refusal) throw new DomainError(plan.refusal.code, plan.refusal.reason);
  if (ask.dryRun) return { kind: "dryRun", plan: dryRunOf(plan) };
  const key = { vaultName: parsed.vaultName, keyName: parsed.keyName };
  const request = {
    key,
    trigger: "Http" as const,
    mode: "rotate" as const,
    reason: ask.reason?.trim() || "Requested over HTTP.",
    plan,
  };
  // The first record is written before the instance starts, so the 202's status URL answers at once
  // and the orchestration's own writes (same id) always come after it.
  const firstRecord = (input: RotateKeyInput): RotationRecord => ({
    id: input.rotationId,
    keyId: plan.keyId,
    status: "Running",
    reason: input.reason,
    trigger: input.trigger,
    previousVersion: plan.previousVersion ?? null,
    newVersion: null,
    targets: plan.targets.map((target) => ({ ...target, status: "Pending", detail: "" })),
    startedAt: new Date().toISOString(),
    finishedAt: null,
  });
  const outcome = await startRotation(
    client,
    request,
    auditedFirstRecord(services.audit, key, firstRecord),
    services,
  );
  return { kind: "start", outcome };
}
