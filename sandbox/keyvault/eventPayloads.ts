// Key Vault's Event Grid events (KeyNewVersionCreated, KeyNearExpiry, KeyExpired) in both delivery schemas.
import { randomUUID } from "node:crypto";

export type EventSchema = "EventGridSchema" | "CloudEventSchemaV1_0";
export const EVENT_SCHEMAS: readonly EventSchema[] = ["EventGridSchema", "CloudEventSchemaV1_0"];

export type KeyEventType =
  | "Microsoft.KeyVault.KeyNewVersionCreated"
  | "Microsoft.KeyVault.KeyNearExpiry"
  | "Microsoft.KeyVault.KeyExpired";

/** The data Key Vault sends: PascalCase, NBF/EXP as numeric strings (null when unset), per the Event Grid spec examples. */
export interface KeyVaultEventData {
  Id: string;
  VaultName: string;
  ObjectType: "Key";
  ObjectName: string;
  Version: string;
  NBF: string | null;
  EXP: string | null;
}

/** One event before it is shaped for a subscription's schema. */
export interface KeyVaultEvent {
  id: string;
  type: KeyEventType;
  /** The vault's ARM id (Event Grid topic, CloudEvents source). */
  source: string;
  subject: string;
  time: string;
  data: KeyVaultEventData;
}

export interface KeyVersionFacts {
  vaultName: string;
  vaultUrl: string;
  armId: string;
  keyName: string;
  version: string;
  nbf?: number;
  exp?: number;
}

export function keyEvent(type: KeyEventType, facts: KeyVersionFacts, nowMs: number): KeyVaultEvent {
  return {
    id: randomUUID(),
    type,
    source: facts.armId,
    subject: facts.keyName,
    time: new Date(nowMs).toISOString(),
    data: {
      Id: `${facts.vaultUrl}/keys/${facts.keyName}/${facts.version}`,
      VaultName: facts.vaultName,
      ObjectType: "Key",
      ObjectName: facts.keyName,
      Version: facts.version,
      NBF: facts.nbf === undefined ? null : String(facts.nbf),
      EXP: facts.exp === undefined ? null : String(facts.exp),
    },
  };
}

export function toEventGridSchema(event: KeyVaultEvent): Record<string, unknown> {
  return {
    id: event.id,
    topic: event.source,
    subject: event.subject,
    eventType: event.type,
    eventTime: event.time,
    data: event.data,
    dataVersion: "1",
    metadataVersion: "1",
  };
}

export function toCloudEvent(event: KeyVaultEvent): Record<string, unknown> {
  return {
    id: event.id,
    source: event.source,
    specversion: "1.0",
    type: event.type,
    subject: event.subject,
    time: event.time,
    data: event.data,
  };
}
