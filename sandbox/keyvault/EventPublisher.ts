// Event Grid for one vault: webhook subscriptions with the validation handshake, deliveries with bounded retry, duplicates on demand.
import { randomUUID } from "node:crypto";
import { KeyVaultError, badParameter, notFound } from "./errors";
import {
  EVENT_SCHEMAS,
  toCloudEvent,
  toEventGridSchema,
  type EventSchema,
  type KeyVaultEvent,
} from "./eventPayloads";
import { callWebhook } from "./webhookClient";

export interface EventSubscriptionInput {
  endpointUrl: string;
  schema?: EventSchema;
  /** Only these event types are delivered; all when absent. */
  includedEventTypes?: string[];
  name?: string;
}

export interface EventSubscription {
  id: string;
  name: string;
  endpointUrl: string;
  schema: EventSchema;
  includedEventTypes?: string[];
}

export type DeliveryOutcome = "Pending" | "Delivered" | "Failed" | "Dropped";

export interface DeliveryRecord {
  id: string;
  subscriptionId: string;
  eventId: string;
  eventType: string;
  subject: string;
  version: string;
  /** true for the extra copy made by "duplicate next N deliveries". */
  isDuplicate: boolean;
  attempts: number;
  outcome: DeliveryOutcome;
  lastStatus?: number;
  lastError?: string;
}

export interface DeliveryOptions {
  /** Real-time waits before each retry; their count bounds the attempts (default 4 retries: 0.2 s, 1 s, 5 s, 10 s). */
  retryDelaysMs: number[];
  /** How long one attempt may take (Event Grid allows 30 s). */
  timeoutMs: number;
}

export const DEFAULT_DELIVERY_OPTIONS: DeliveryOptions = {
  retryDelaysMs: [200, 1000, 5000, 10_000],
  timeoutMs: 30_000,
};

/** Event Grid does not retry these: the endpoint said the event itself is unacceptable. */
const NOT_RETRIED = new Set([400, 413]);
const MAX_DELIVERY_LOG = 1000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function parseSubscriptionInput(input: unknown): EventSubscriptionInput {
  if (!isRecord(input)) throw badParameter("The subscription must be a JSON object with endpointUrl.");
  const { endpointUrl, schema, includedEventTypes, name } = input;
  let url: URL | undefined;
  try {
    url = typeof endpointUrl === "string" ? new URL(endpointUrl) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:"))
    throw badParameter("endpointUrl must be an http(s) URL.");
  if (schema !== undefined && !EVENT_SCHEMAS.includes(schema as EventSchema)) {
    throw badParameter(`schema must be one of ${EVENT_SCHEMAS.join(", ")}.`);
  }
  if (
    includedEventTypes !== undefined &&
    (!Array.isArray(includedEventTypes) || includedEventTypes.some((t) => typeof t !== "string"))
  ) {
    throw badParameter("includedEventTypes must be an array of event type names.");
  }
  if (name !== undefined && typeof name !== "string") throw badParameter("name must be a string.");
  return {
    endpointUrl: url.toString(),
    schema: schema as EventSchema | undefined,
    includedEventTypes: includedEventTypes as string[] | undefined,
    name,
  };
}

export class EventPublisher {
  private readonly subscriptions = new Map<string, EventSubscription>();
  private readonly deliveries: DeliveryRecord[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  /** Pending retry waits; stop() ends them at once so no delivery outlives the emulator. */
  private readonly retryWaits = new Map<NodeJS.Timeout, () => void>();
  private readonly stopping = new AbortController();
  private duplicateBudget = 0;
  private isStopped = false;

  constructor(
    private readonly topic: string,
    private readonly options: DeliveryOptions,
  ) {}

  /** Adds a webhook subscription after Event Grid's validation handshake; 400 ValidationFailed when the endpoint does not answer it. */
  async subscribe(input: EventSubscriptionInput): Promise<EventSubscription> {
    const subscription: EventSubscription = {
      id: randomUUID(),
      name: input.name ?? `sub-${this.subscriptions.size + 1}`,
      endpointUrl: input.endpointUrl,
      schema: input.schema ?? "EventGridSchema",
      ...(input.includedEventTypes ? { includedEventTypes: input.includedEventTypes } : {}),
    };
    await this.validate(subscription);
    this.subscriptions.set(subscription.id, subscription);
    return subscription;
  }

  list(): EventSubscription[] {
    return [...this.subscriptions.values()];
  }

  unsubscribe(id: string): void {
    if (!this.subscriptions.delete(id)) throw notFound(`No event subscription with id ${id}.`);
  }

  listDeliveries(): DeliveryRecord[] {
    return this.deliveries.map((delivery) => ({ ...delivery }));
  }

  /** The next `count` deliveries are each sent twice, as Event Grid's at-least-once delivery may do. */
  duplicateNext(count: number): void {
    if (!Number.isInteger(count) || count < 0) throw badParameter("count must be a non-negative integer.");
    this.duplicateBudget = count;
  }

  /**
   * Delivers an event to every matching subscription. Resolves after each delivery's first attempt,
   * so a test that awaited a clock advance sees the events; retries continue in the background.
   */
  async publish(event: KeyVaultEvent): Promise<void> {
    const firstAttempts: Promise<void>[] = [];
    for (const subscription of this.subscriptions.values()) {
      if (subscription.includedEventTypes && !subscription.includedEventTypes.includes(event.type)) continue;
      const copies = this.duplicateBudget > 0 ? 2 : 1;
      if (copies === 2) this.duplicateBudget--;
      for (let copy = 0; copy < copies; copy++)
        firstAttempts.push(this.startDelivery(subscription, event, copy === 1));
    }
    await Promise.all(firstAttempts);
  }

  /** Resolves when no delivery is pending or waiting for a retry. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  stop(): void {
    this.isStopped = true;
    this.stopping.abort();
    for (const [timer, wake] of this.retryWaits) {
      clearTimeout(timer);
      wake();
    }
    this.retryWaits.clear();
  }

  private startDelivery(
    subscription: EventSubscription,
    event: KeyVaultEvent,
    isDuplicate: boolean,
  ): Promise<void> {
    const record: DeliveryRecord = {
      id: randomUUID(),
      subscriptionId: subscription.id,
      eventId: event.id,
      eventType: event.type,
      subject: event.subject,
      version: event.data.Version,
      isDuplicate,
      attempts: 0,
      outcome: "Pending",
    };
    this.deliveries.push(record);
    if (this.deliveries.length > MAX_DELIVERY_LOG) this.deliveries.shift();
    let settleFirstAttempt: () => void = () => undefined;
    const firstAttempt = new Promise<void>((resolve) => (settleFirstAttempt = resolve));
    const whole = this.runDelivery(subscription, event, record, settleFirstAttempt);
    this.inFlight.add(whole);
    void whole.finally(() => this.inFlight.delete(whole));
    return firstAttempt;
  }

  private async runDelivery(
    subscription: EventSubscription,
    event: KeyVaultEvent,
    record: DeliveryRecord,
    afterFirstAttempt: () => void,
  ): Promise<void> {
    const isCloudEvents = subscription.schema === "CloudEventSchemaV1_0";
    const body = JSON.stringify([isCloudEvents ? toCloudEvent(event) : toEventGridSchema(event)]);
    const headers = {
      "Content-Type": isCloudEvents
        ? "application/cloudevents-batch+json; charset=utf-8"
        : "application/json",
      "aeg-event-type": "Notification",
      "aeg-subscription-name": subscription.name.toUpperCase(),
      "aeg-delivery-count": "0",
    };
    for (let attempt = 0; ; attempt++) {
      headers["aeg-delivery-count"] = String(attempt);
      record.attempts = attempt + 1;
      try {
        const answer = await callWebhook(subscription.endpointUrl, {
          method: "POST",
          headers,
          body,
          timeoutMs: this.options.timeoutMs,
          signal: this.stopping.signal,
        });
        record.lastStatus = answer.status;
        record.lastError = undefined;
        if (answer.status >= 200 && answer.status < 300) {
          record.outcome = "Delivered";
        } else if (NOT_RETRIED.has(answer.status)) {
          record.outcome = "Dropped";
        }
      } catch (error) {
        record.lastError = error instanceof Error ? error.message : String(error);
      }
      if (attempt === 0) afterFirstAttempt();
      if (record.outcome !== "Pending") return;
      const delayMs = this.options.retryDelaysMs[attempt];
      if (delayMs === undefined || this.isStopped) {
        record.outcome = "Failed";
        return;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.retryWaits.delete(timer);
          resolve();
        }, delayMs);
        this.retryWaits.set(timer, resolve);
      });
      if (this.isStopped) {
        record.outcome = "Failed";
        return;
      }
    }
  }

  private async validate(subscription: EventSubscription): Promise<void> {
    const failed = (why: string) =>
      new KeyVaultError(
        400,
        "ValidationFailed",
        `Webhook validation handshake failed for ${subscription.endpointUrl}: ${why}`,
      );
    try {
      if (subscription.schema === "CloudEventSchemaV1_0") {
        const origin = "eventgrid.azure.net";
        const answer = await callWebhook(subscription.endpointUrl, {
          method: "OPTIONS",
          headers: { "WebHook-Request-Origin": origin },
          timeoutMs: this.options.timeoutMs,
          signal: this.stopping.signal,
        });
        const allowed = answer.headers["webhook-allowed-origin"];
        if (answer.status !== 200 || (allowed !== origin && allowed !== "*")) {
          throw failed(`OPTIONS answered ${answer.status} with WebHook-Allowed-Origin '${String(allowed)}'.`);
        }
        return;
      }
      const validationCode = randomUUID();
      const validationEvent = {
        id: randomUUID(),
        topic: this.topic,
        subject: "",
        data: { validationCode, validationUrl: `https://eventgrid.invalid/validate?code=${validationCode}` },
        eventType: "Microsoft.EventGrid.SubscriptionValidationEvent",
        eventTime: new Date().toISOString(),
        metadataVersion: "1",
        dataVersion: "2",
      };
      const answer = await callWebhook(subscription.endpointUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", "aeg-event-type": "SubscriptionValidation" },
        body: JSON.stringify([validationEvent]),
        timeoutMs: this.options.timeoutMs,
        signal: this.stopping.signal,
      });
      let response: unknown;
      try {
        response = JSON.parse(answer.body) as unknown;
      } catch {
        response = undefined;
      }
      if (answer.status !== 200 || !isRecord(response) || response.validationResponse !== validationCode) {
        throw failed(`expected 200 {"validationResponse": code}, got ${answer.status}.`);
      }
    } catch (error) {
      if (error instanceof KeyVaultError) throw error;
      throw failed(error instanceof Error ? error.message : String(error));
    }
  }
}
