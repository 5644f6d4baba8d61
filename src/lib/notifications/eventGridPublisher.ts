// Publishes rotation and revocation outcomes to an Event Grid topic, or does nothing when none is configured.
import type { AzureClients } from "../azure/types";
import { stripSecrets } from "../audit/secretGuard";
import { fromAzureError } from "../errors";
import type { OutcomeNotification, OutcomePublisher } from "./types";

export const EVENT_TYPE_PREFIX = "CmkRotator.";
export const EVENT_DATA_VERSION = "1.0";

/** `CmkRotator.RotationCompleted`, `CmkRotator.RevocationRevoked`, ... */
export function outcomeEventType(notification: Pick<OutcomeNotification, "kind" | "record">): string {
  if (notification.kind === "drift") return `${EVENT_TYPE_PREFIX}${notification.record.status}`;
  const noun = { rotation: "Rotation", revocation: "Revocation", keyChange: "KeyChange" }[notification.kind];
  return `${EVENT_TYPE_PREFIX}${noun}${notification.record.status}`;
}

function eventTimeOf(notification: OutcomeNotification): Date {
  if (notification.kind === "drift") return new Date(notification.record.at);
  return new Date(notification.record.finishedAt ?? notification.record.startedAt);
}

/** Subject of outcome events: `/vaults/{vault}/keys/{key}` (lower case). */
export function outcomeSubject(notification: Pick<OutcomeNotification, "key">): string {
  return `/vaults/${notification.key.vaultName.toLowerCase()}/keys/${notification.key.keyName.toLowerCase()}`;
}

export function createOutcomePublisher(clients: Pick<AzureClients, "eventGridPublisher">): OutcomePublisher {
  const publisher = clients.eventGridPublisher();
  return {
    isEnabled: publisher !== undefined,
    async publish(notification) {
      if (!publisher) return false;
      const { record } = notification;
      try {
        await publisher.send([
          {
            id: `${record.id}:${record.status}`,
            eventType: outcomeEventType(notification),
            subject: outcomeSubject(notification),
            dataVersion: EVENT_DATA_VERSION,
            eventTime: eventTimeOf(notification),
            data: stripSecrets(record),
          },
        ]);
      } catch (error) {
        throw fromAzureError(error, {
          dependency: "Event Grid",
          subject: `outcome of ${notification.kind} ${record.id}`,
        });
      }
      return true;
    },
  };
}
