// Decides what a normalised Key Vault event means for the key: rotate, propagate, or nothing (with the reason to record).
import type { DecisionKind } from "../../lib/audit";
import { DomainError } from "../../lib/errors";
import type { KeyVaultKeyEvent } from "../../lib/events";
import { isCreatedByService, type KeyIdentity } from "../../lib/keys";
import type { Services } from "../../lib/services";
import { planRotation } from "../../orchestrations/rotateKey/planRotation";
import { deterministicRotationId, type RotationRequest } from "./startRotation";

export type EventDecision =
  | { action: "start"; request: RotationRequest; incident?: string }
  | { action: "ignore"; kind: DecisionKind; reason: string; detail: string; key?: KeyIdentity };

type TriageServices = Pick<Services, "allowList" | "keyVault" | "bindings" | "discovery">;

const ignore = (kind: DecisionKind, reason: string, detail: string, key?: KeyIdentity): EventDecision => ({
  action: "ignore",
  kind,
  reason,
  detail,
  ...(key ? { key } : {}),
});

/** The event's key when it names an allow-listed vault and a valid key name (so the record lands in that key's log). */
function knownKeyOf(services: TriageServices, event: KeyVaultKeyEvent): KeyIdentity | undefined {
  try {
    return event.keyName ? services.allowList.identity(event.vaultName, event.keyName) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Near expiry and expiry of the current version rotate; a new version this service did not create is
 * propagated. Everything else (other types, unknown or spoofed vaults, keys without bindings, stale
 * versions, versions we made) is ignored with a reason. Rotation ids derive from (vault, key,
 * version, type), so every delivery of one event starts, at most, the same rotation.
 */
export async function triageKeyVaultEvent(
  services: TriageServices,
  event: KeyVaultKeyEvent,
): Promise<EventDecision> {
  if (event.kind === "Other") {
    return ignore(
      "decision",
      "UnsupportedEventType",
      `${event.eventType} needs no action.`,
      knownKeyOf(services, event),
    );
  }
  let key: KeyIdentity;
  try {
    key = services.allowList.identity(event.vaultName, event.keyName);
    if (event.objectId) services.allowList.parseKeyId(event.objectId, { vaultName: event.vaultName });
  } catch (error) {
    if (error instanceof DomainError && error.isUserError)
      return ignore("rejection", error.code, error.message);
    throw error;
  }
  const isPropagation = event.kind === "KeyNewVersionCreated";
  const plan = await planRotation(services, {
    ...key,
    mode: isPropagation ? "propagate" : "rotate",
    ...(isPropagation ? { version: event.version } : {}),
  });
  const newestVersion = plan.template?.version;
  if (
    plan.refusal?.code === "StaleVersion" ||
    (newestVersion !== undefined && event.version !== newestVersion)
  ) {
    const newest = newestVersion ? `the newest is ${newestVersion}` : "it is not the newest";
    return ignore(
      "duplicate",
      "StaleVersion",
      `${event.eventType} is about version ${event.version}, but ${newest}.`,
      key,
    );
  }
  if (plan.refusal) return ignore("decision", plan.refusal.code, plan.refusal.reason, key);
  const rotationId = deterministicRotationId(event.kind, key.vaultName, key.keyName, event.version);
  if (isPropagation) {
    if (plan.template && isCreatedByService(plan.template)) {
      return ignore(
        "decision",
        "OwnVersion",
        `Version ${event.version} was created by this service's rotation.`,
        key,
      );
    }
    return {
      action: "start",
      request: {
        key,
        trigger: "KeyNewVersionCreated",
        mode: "propagate",
        version: event.version,
        rotationId,
        reason: `Version ${event.version} was created outside this service.`,
        plan,
      },
    };
  }
  const request: RotationRequest = {
    key,
    trigger: event.kind,
    mode: "rotate",
    rotationId,
    plan,
    reason:
      event.kind === "KeyExpired"
        ? `Version ${event.version} expired.`
        : `Version ${event.version} is near expiry.`,
  };
  return event.kind === "KeyExpired"
    ? {
        action: "start",
        request,
        incident: `Version ${event.version} of ${key.vaultName}/${key.keyName} expired before it was rotated.`,
      }
    : { action: "start", request };
}
