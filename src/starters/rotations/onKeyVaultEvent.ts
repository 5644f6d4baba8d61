// What the Event Grid door does with one delivered event: normalise, triage, start, and leave one audit record.
import type { DurableClient } from "durable-functions";
import { eventDedupeKey, normalizeKeyVaultEvent } from "../../lib/events";
import type { Services } from "../../lib/services";
import { startRotation } from "./startRotation";
import { triageKeyVaultEvent } from "./triageKeyVaultEvent";

export interface EventHandled {
  /** started | ignored | duplicate */
  result: "started" | "ignored" | "duplicate";
  reason: string;
  rotationId?: string;
}

/**
 * Handles one delivery. Bad payloads and events needing no action are recorded and acknowledged
 * (Event Grid must not redeliver them); dependency failures throw so Event Grid retries the delivery.
 */
export async function onKeyVaultEvent(
  client: DurableClient,
  services: Pick<Services, "allowList" | "keyVault" | "bindings" | "audit" | "discovery" | "keyChangeMarks">,
  delivered: unknown,
  nowMs: number = Date.now(),
): Promise<EventHandled> {
  const normalized = normalizeKeyVaultEvent(delivered);
  if (!normalized.ok) {
    await services.audit.recordDecision({
      kind: "rejection",
      reason: "MalformedEvent",
      detail: normalized.reason,
      source: "keyVaultEvents",
      atMs: nowMs,
    });
    return { result: "ignored", reason: "MalformedEvent" };
  }
  const event = normalized.event;
  const source = `${event.eventType} ${event.eventId} (${eventDedupeKey(event)})`;
  const decision = await triageKeyVaultEvent(services, event);
  if (decision.action === "ignore") {
    await services.audit.recordDecision({
      kind: decision.kind,
      key: decision.key,
      reason: decision.reason,
      detail: decision.detail,
      source,
      atMs: nowMs,
    });
    return { result: decision.kind === "duplicate" ? "duplicate" : "ignored", reason: decision.reason };
  }
  const { key } = decision.request;
  const started = await startRotation(client, decision.request, undefined, services);
  if (!started.started) {
    await services.audit.recordDecision({
      kind: "duplicate",
      key,
      reason: started.reason,
      detail: `${event.eventType} for version ${event.version} arrived while ${started.runningId} runs; nothing started.`,
      source,
      operationId: started.runningId,
      atMs: nowMs,
    });
    return { result: "duplicate", reason: started.reason, rotationId: started.runningId };
  }
  if (decision.incident) {
    await services.audit.recordDecision({
      id: `${started.rotationId}.incident`,
      kind: "incident",
      key,
      reason: "KeyExpired",
      detail: decision.incident,
      source,
      operationId: started.rotationId,
      atMs: nowMs,
    });
  }
  return { result: "started", reason: decision.request.trigger, rotationId: started.rotationId };
}
