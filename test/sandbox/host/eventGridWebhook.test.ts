import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startExampleHost, type ExampleHost } from "./exampleHost";

const VAULT_TOPIC = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1";

function eventGridEvent(id: string, subject = "cmk-1") {
  return {
    id,
    topic: VAULT_TOPIC,
    subject,
    eventType: "Microsoft.KeyVault.KeyNearExpiry",
    eventTime: "2026-01-01T00:00:00Z",
    data: {
      Id: `https://kv1.vault.azure.net/keys/${subject}/v1`,
      VaultName: "kv1",
      ObjectName: subject,
      NBF: null,
      EXP: 1,
    },
    dataVersion: "1",
    metadataVersion: "1",
  };
}

function cloudEvent(id: string) {
  return {
    id,
    source: VAULT_TOPIC,
    subject: "cmk-2",
    type: "Microsoft.KeyVault.KeyNewVersionCreated",
    time: "2026-01-01T00:00:00Z",
    specversion: "1.0",
    data: { id: "https://kv1.vault.azure.net/keys/cmk-2/v2", vaultName: "kv1" },
  };
}

describe("local host: Event Grid webhook", () => {
  let example: ExampleHost;
  let url: string;
  beforeAll(async () => {
    example = await startExampleHost();
    url = example.host.eventGridWebhookUrl("OnKeyEvent");
  });
  afterAll(async () => {
    await example.host.stop();
  });

  const post = (
    body: string,
    eventType: string | undefined,
    target = url,
    contentType = "application/json",
  ) =>
    fetch(target, {
      method: "POST",
      headers: { "content-type": contentType, ...(eventType ? { "aeg-event-type": eventType } : {}) },
      body,
    });

  const receivedIds = async (): Promise<string[]> => {
    const observations = (await (await example.call("/api/observations", { key: null })).json()) as {
      events: Array<{ id: string }>;
    };
    return observations.events.map((e) => e.id);
  };

  let before: string[];
  beforeEach(async () => {
    before = await receivedIds();
  });

  it("exposes the webhook URL with the system key", () => {
    expect(url).toBe(
      `${example.host.baseUrl}/runtime/webhooks/EventGrid?functionName=OnKeyEvent&code=${example.host.systemKey}`,
    );
  });

  it("refuses requests without the system key and unknown function names", async () => {
    const noKey = url.replace(/&code=.*$/, "");
    expect((await post("[]", "Notification", noKey)).status).toBe(401);
    expect((await post("[]", "Notification", `${noKey}&code=${example.host.functionKey}`)).status).toBe(401);
    const unknown = url.replace("OnKeyEvent", "NoSuchFunction");
    expect((await post("[]", "Notification", unknown)).status).toBe(404);
  });

  it("answers the Event Grid subscription validation handshake", async () => {
    const validation = [
      {
        id: "v1",
        topic: VAULT_TOPIC,
        subject: "",
        eventType: "Microsoft.EventGrid.SubscriptionValidationEvent",
        eventTime: "2026-01-01T00:00:00Z",
        data: {
          validationCode: "512d38b6-c7b8-40c8-89fe-f46f9e9622b6",
          validationUrl: "https://example/validate",
        },
        dataVersion: "1",
      },
    ];
    const res = await post(JSON.stringify(validation), "SubscriptionValidation");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ validationResponse: "512d38b6-c7b8-40c8-89fe-f46f9e9622b6" });
    expect(await receivedIds()).toEqual(before);
  });

  it("answers the CloudEvents abuse-protection handshake on OPTIONS", async () => {
    const res = await fetch(url, {
      method: "OPTIONS",
      headers: { "WebHook-Request-Origin": "eventgrid.azure.net" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("webhook-allowed-origin")).toBe("eventgrid.azure.net");
    const other = await fetch(url, {
      method: "OPTIONS",
      headers: { "WebHook-Request-Origin": "evil.example" },
    });
    expect(other.headers.get("webhook-allowed-origin")).toBe("eventgrid.azure.net");
  });

  it("delivers an Event Grid schema array with one invocation per event", async () => {
    const res = await post(JSON.stringify([eventGridEvent("eg-1"), eventGridEvent("eg-2")]), "Notification");
    expect(res.status).toBe(202);
    expect(await receivedIds()).toEqual([...before, "eg-1", "eg-2"]);
  });

  it("delivers CloudEvents batches and single CloudEvents", async () => {
    const batch = await post(
      JSON.stringify([cloudEvent("ce-1"), cloudEvent("ce-2")]),
      "Notification",
      url,
      "application/cloudevents-batch+json; charset=utf-8",
    );
    expect(batch.status).toBe(202);
    const single = await post(
      JSON.stringify(cloudEvent("ce-3")),
      "Notification",
      url,
      "application/cloudevents+json",
    );
    expect(single.status).toBe(202);
    expect(await receivedIds()).toEqual([...before, "ce-1", "ce-2", "ce-3"]);
  });

  it("answers 400 for malformed payloads and invokes nothing", async () => {
    const notJson = await post("{not json", "Notification");
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: { code: "MalformedEvent" } });
    const { eventType: _omitted, ...noType } = eventGridEvent("bad-1");
    const missing = await post(JSON.stringify([eventGridEvent("ok-but-batch-bad"), noType]), "Notification");
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toContain("eventType");
    expect((await post("[42]", "Notification")).status).toBe(400);
    expect((await post("[]", "Notification")).status).toBe(400);
    expect((await post(JSON.stringify([eventGridEvent("no-header")]), undefined)).status).toBe(400);
    expect((await post("[{}]", "SubscriptionValidation")).status).toBe(400);
    expect(await receivedIds()).toEqual(before);
  });

  it("gives Event Grid functions the durable client binding", async () => {
    const target = example.host.eventGridWebhookUrl("StartFromEvent");
    expect((await post(JSON.stringify([eventGridEvent("start-1")]), "Notification", target)).status).toBe(
      202,
    );
    const status = await example.host.waitForInstance("from-event-start-1", { timeoutMs: 10_000 });
    expect(status).toMatchObject({
      name: "CountdownOrchestration",
      runtimeStatus: "Completed",
      output: "lift-off",
    });
  });

  it("answers 500 when the handler fails, so Event Grid retries", async () => {
    const res = await post(JSON.stringify([eventGridEvent("fails", "fail")]), "Notification");
    expect(res.status).toBe(500);
    expect(await res.text()).not.toContain("refused");
  });
});
