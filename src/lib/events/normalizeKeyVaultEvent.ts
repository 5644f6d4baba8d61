// Turns a Key Vault event as delivered (Event Grid schema or CloudEvents 1.0, any data casing) into a KeyVaultKeyEvent.
import { readEpochSeconds, readText } from "./readField";
import type { EventSchema, KeyEventKind, KeyVaultKeyEvent, NormalizeResult } from "./types";

const KEY_VAULT_TYPE_PREFIX = "Microsoft.KeyVault.";
const ACTIONABLE_KINDS: ReadonlySet<string> = new Set([
  "KeyNearExpiry",
  "KeyNewVersionCreated",
  "KeyExpired",
]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function topText(envelope: Record<string, unknown>, name: string): string | undefined {
  const value = envelope[name];
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

function lastSegment(path: string | undefined): string | undefined {
  const segment = path?.replace(/\/+$/, "").split("/").pop();
  return segment ? segment : undefined;
}

function kindOf(eventType: string): KeyEventKind {
  if (!eventType.startsWith(KEY_VAULT_TYPE_PREFIX)) return "Other";
  const name = eventType.slice(KEY_VAULT_TYPE_PREFIX.length);
  return ACTIONABLE_KINDS.has(name) ? (name as KeyEventKind) : "Other";
}

/** The event's time as ISO text; the trigger may hand it over as a string or a Date. */
function timeOf(value: unknown): string | undefined {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/**
 * Normalises one delivered event. CloudEvents are recognised by `specversion` (or `type` without
 * `eventType`). Fields missing from `data` fall back to the envelope: vault name from the ARM id in
 * `topic`/`source`, key name from `subject`, version from the last segment of `data.Id`.
 * Key events (near expiry, new version, expired) must name a vault, a key and a version.
 */
export function normalizeKeyVaultEvent(delivered: unknown): NormalizeResult {
  if (!isRecord(delivered)) return { ok: false, reason: "The event is not a JSON object." };
  const isCloudEvent = "specversion" in delivered || ("type" in delivered && !("eventType" in delivered));
  const schema: EventSchema = isCloudEvent ? "CloudEventSchemaV1_0" : "EventGridSchema";
  const eventType = topText(delivered, isCloudEvent ? "type" : "eventType");
  if (!eventType) {
    return { ok: false, reason: `The event has no ${isCloudEvent ? "type" : "eventType"}.` };
  }
  const source = topText(delivered, isCloudEvent ? "source" : "topic") ?? "";
  const data = isRecord(delivered.data) ? delivered.data : {};
  const objectId = readText(data, "Id") ?? "";
  const event: KeyVaultKeyEvent = {
    kind: kindOf(eventType),
    eventType,
    eventId: topText(delivered, "id") ?? "",
    schema,
    source,
    vaultName: readText(data, "VaultName") ?? lastSegment(source) ?? "",
    objectType: readText(data, "ObjectType") ?? "",
    keyName: readText(data, "ObjectName") ?? topText(delivered, "subject") ?? "",
    version: readText(data, "Version") ?? (objectId ? (lastSegment(objectId) ?? "") : ""),
    objectId,
    notBeforeSeconds: readEpochSeconds(data, "NBF"),
    expiresOnSeconds: readEpochSeconds(data, "EXP"),
    eventTime: timeOf(delivered[isCloudEvent ? "time" : "eventTime"]),
  };
  if (event.kind !== "Other") {
    const missing = (["vaultName", "keyName", "version"] as const).filter((field) => event[field] === "");
    if (missing.length > 0) {
      return { ok: false, reason: `The ${eventType} event does not say its ${missing.join(", ")}.` };
    }
  }
  return { ok: true, event };
}

/**
 * What makes two deliveries the same event: Event Grid delivers at least once and distinct events
 * have shared an `id`, so duplicates are recognised by (vault, key, version, kind) instead.
 */
export function eventDedupeKey(event: KeyVaultKeyEvent): string {
  return [event.vaultName.toLowerCase(), event.keyName, event.version, event.kind].join("/");
}
