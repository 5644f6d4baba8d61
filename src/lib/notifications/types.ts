// Public types of outcome notifications: what is published to CMK_NOTIFY_TOPIC_ENDPOINT.
import type { KeyChangeRecord, RevocationRecord, RotationRecord } from "../audit/types";
import type { KeyIdentity } from "../keys/types";

/** A change in which consumers of a key are not as bound (found by the sweep, published once). */
export interface DriftNotice {
  /** Deterministic per key and sweep, so a re-run publishes the same event id. */
  id: string;
  status: "DriftDetected" | "DriftResolved";
  keyId: string;
  consumers: { resourceId: string; registration: string; detail: string }[];
  /** When the sweep saw it (orchestration time). */
  at: string;
}

export type OutcomeNotification = { key: KeyIdentity } & (
  | { kind: "rotation"; record: RotationRecord }
  | { kind: "revocation"; record: RevocationRecord }
  | { kind: "keyChange"; record: KeyChangeRecord }
  | { kind: "drift"; record: DriftNotice }
);

export interface OutcomePublisher {
  /** False when no topic is configured: publish() does nothing. */
  readonly isEnabled: boolean;
  /**
   * Publishes one Event Grid event (type `CmkRotator.Rotation<Status>`,
   * `CmkRotator.Revocation<Status>`, `CmkRotator.KeyChange<Status>`, `CmkRotator.DriftDetected` or `CmkRotator.DriftResolved`; subject `/vaults/{vault}/keys/{key}`, data = the record).
   * The event id is `<record id>:<status>`, so a re-run publishes the same id and subscribers can
   * de-duplicate. Returns whether anything was sent. Needs EventGrid Data Sender on the topic
   * (or its access key in CMK_NOTIFY_TOPIC_KEY).
   */
  publish(notification: OutcomeNotification): Promise<boolean>;
}
