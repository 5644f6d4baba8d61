// Validates a binding body (PUT /api/bindings/{vault}/{key}) and a key against the bound consumers.
import { consumerSpec, CONSUMER_KINDS, isConsumerKind } from "../consumers/registry";
import { DomainError } from "../errors";
import type { KeyIdentity, KeyInfo } from "../keys/types";
import { isAtLeast, tryParseIsoDuration } from "../durations";
import type { BindingMode, BindingTarget, KeyBinding, RotationPolicy } from "./types";

export const MAX_TARGETS = 50;
const MODES: readonly BindingMode[] = ["pinned", "versionless"];
const DURATION_FIELDS = ["rotateEvery", "expiresAfter", "retireAfter"] as const;
const POLICY_FIELDS = [...DURATION_FIELDS, "adoptDiscovered"] as const;
/** Rotating more often than daily would exhaust Key Vault's create limits for nothing. */
export const MIN_ROTATE_EVERY = "P1D";
/** A new version must outlive the 30-day near-expiry window, or it would be due at once. */
export const MIN_EXPIRES_AFTER = "P31D";

function invalid(message: string): DomainError {
  return new DomainError("InvalidBinding", message);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function refuseUnknownFields(
  value: Record<string, unknown>,
  allowed: readonly string[],
  where: string,
): void {
  const unknown = Object.keys(value).filter((field) => !allowed.includes(field));
  if (unknown.length > 0)
    throw invalid(`${where} has unknown field(s) ${unknown.join(", ")}; allowed: ${allowed.join(", ")}.`);
}

function validateTarget(value: unknown, index: number): BindingTarget {
  const where = `targets[${index}]`;
  if (!isRecord(value)) throw invalid(`${where} must be an object {kind, resourceId, mode}.`);
  refuseUnknownFields(value, ["kind", "resourceId", "mode"], where);
  const { kind, resourceId, mode } = value;
  if (!isConsumerKind(kind))
    throw invalid(
      `${where}.kind "${String(kind)}" is not a known kind; use one of ${CONSUMER_KINDS.join(", ")}.`,
    );
  if (typeof resourceId !== "string" || resourceId.trim() === "")
    throw invalid(`${where}.resourceId must be a string like ${consumerSpec(kind).resourceIdExample}.`);
  const problem = consumerSpec(kind).resourceIdProblem(resourceId.trim());
  if (problem) throw invalid(`${where}: ${problem}`);
  if (typeof mode !== "string" || !MODES.includes(mode as BindingMode))
    throw invalid(`${where}.mode must be "pinned" or "versionless".`);
  return { kind, resourceId: resourceId.trim(), mode: mode as BindingMode };
}

function validatePolicy(value: unknown, targets: readonly BindingTarget[]): RotationPolicy {
  if (value === undefined || value === null) return {};
  if (!isRecord(value))
    throw invalid("policy must be an object {rotateEvery?, expiresAfter?, retireAfter?, adoptDiscovered?}.");
  refuseUnknownFields(value, POLICY_FIELDS, "policy");
  const policy: RotationPolicy = {};
  if (value.adoptDiscovered !== undefined && value.adoptDiscovered !== null) {
    if (typeof value.adoptDiscovered !== "boolean")
      throw invalid("policy.adoptDiscovered must be true or false.");
    if (value.adoptDiscovered) policy.adoptDiscovered = true;
  }
  for (const field of DURATION_FIELDS) {
    const raw = value[field];
    if (raw === undefined || raw === null) continue;
    if (typeof raw !== "string" || !tryParseIsoDuration(raw)) {
      throw new DomainError(
        "InvalidDuration",
        `policy.${field} ${JSON.stringify(raw)} is not an ISO-8601 duration such as P90D, P3M (3 months) or PT48H (48 hours).`,
      );
    }
    policy[field] = raw.trim().toUpperCase();
  }
  if (policy.rotateEvery && !isAtLeast(policy.rotateEvery, MIN_ROTATE_EVERY)) {
    throw invalid(
      `policy.rotateEvery ${policy.rotateEvery} is shorter than ${MIN_ROTATE_EVERY}; note that PT3M is 3 minutes, P3M 3 months.`,
    );
  }
  if (policy.expiresAfter && !isAtLeast(policy.expiresAfter, MIN_EXPIRES_AFTER)) {
    throw invalid(
      `policy.expiresAfter ${policy.expiresAfter} must be longer than the 30-day near-expiry window (at least ${MIN_EXPIRES_AFTER}).`,
    );
  }
  if (policy.retireAfter) {
    for (const kind of new Set(targets.map((target) => target.kind))) {
      const floor = consumerSpec(kind).minimumRetireAfter;
      if (floor && !isAtLeast(policy.retireAfter, floor)) {
        throw invalid(
          `policy.retireAfter ${policy.retireAfter} is shorter than ${floor}, the minimum while a ${kind} target is bound.`,
        );
      }
    }
  }
  return policy;
}

/**
 * Validates a PUT body `{targets:[{kind, resourceId, mode}], policy?}` for a key. Throws
 * InvalidBinding or InvalidDuration with a message naming the field and what to fix.
 */
export function validateBinding(key: KeyIdentity, body: unknown): KeyBinding {
  if (!isRecord(body))
    throw invalid(
      "The body must be a JSON object {targets:[{kind, resourceId, mode}], policy?:{rotateEvery?, expiresAfter?, retireAfter?, adoptDiscovered?}}.",
    );
  refuseUnknownFields(body, ["targets", "policy"], "The body");
  const { targets: rawTargets } = body;
  if (!Array.isArray(rawTargets) || rawTargets.length === 0)
    throw invalid("targets must be a non-empty array of {kind, resourceId, mode}.");
  if (rawTargets.length > MAX_TARGETS)
    throw invalid(`targets has ${rawTargets.length} entries; at most ${MAX_TARGETS} are allowed per key.`);
  const targets = rawTargets.map(validateTarget);
  const seen = new Set<string>();
  for (const target of targets) {
    const id = target.resourceId.toLowerCase();
    if (seen.has(id)) throw invalid(`targets lists ${target.resourceId} twice.`);
    seen.add(id);
  }
  return { key: { ...key }, targets, policy: validatePolicy(body.policy, targets), updatedAtMs: 0 };
}

/** Why the bound consumers cannot use this key (type/size), one message per kind; empty when all can. */
export function keyCompatibilityProblems(
  binding: Pick<KeyBinding, "targets">,
  key: Pick<KeyInfo, "keyType" | "keySize">,
): string[] {
  const kinds = new Set(binding.targets.map((target) => target.kind));
  return [...kinds].flatMap((kind) => consumerSpec(kind).keyProblem(key.keyType, key.keySize) ?? []);
}

/** Throws IncompatibleKey when a bound consumer does not accept the key's type or size. */
export function assertKeyCompatible(
  binding: Pick<KeyBinding, "key" | "targets">,
  key: Pick<KeyInfo, "keyType" | "keySize">,
): void {
  const problems = keyCompatibilityProblems(binding, key);
  if (problems.length > 0) {
    throw new DomainError(
      "IncompatibleKey",
      `Key ${binding.key.vaultName}/${binding.key.keyName} cannot be used by its targets: ${problems.join(" ")}`,
    );
  }
}
