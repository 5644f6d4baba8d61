// Domain shape of a Key Vault key event, whatever schema and casing it arrived in.

/** The Key Vault key events the rotation flow acts on; anything else is `Other`. */
export type KeyEventKind = "KeyNearExpiry" | "KeyNewVersionCreated" | "KeyExpired" | "Other";

/** Which Event Grid delivery schema carried the event. */
export type EventSchema = "EventGridSchema" | "CloudEventSchemaV1_0";

export interface KeyVaultKeyEvent {
  kind: KeyEventKind;
  /** The full wire type, e.g. `Microsoft.KeyVault.KeyNearExpiry` (kept for audit records). */
  eventType: string;
  /** Event Grid id: informational only, distinct events have been seen sharing one. */
  eventId: string;
  schema: EventSchema;
  /** `topic` (Event Grid) or `source` (CloudEvents): the vault's ARM id. */
  source: string;
  vaultName: string;
  /** `Key`, `Secret`, `Certificate`: only `Key` is ours. */
  objectType: string;
  keyName: string;
  version: string;
  /** The object's identifier (`<vaultUrl>/keys/<name>/<version>`) as sent in `data.Id`. */
  objectId: string;
  notBeforeSeconds?: number;
  expiresOnSeconds?: number;
  /** ISO time the vault raised the event, when present. */
  eventTime?: string;
}

export type NormalizeResult = { ok: true; event: KeyVaultKeyEvent } | { ok: false; reason: string };
