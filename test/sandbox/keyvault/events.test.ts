// Event Grid behaviour of the Key Vault emulator: both schemas, near-expiry/expiry on the virtual clock, retries, duplicates, policies.
import { KeyClient } from "@azure/keyvault-keys";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../../../sandbox/clock";
import { sandboxCredential } from "../../../sandbox/identity";
import { startKeyVaultEmulator, type KeyVaultEmulator } from "../../../sandbox/keyvault";
import { testTls } from "../../../sandbox/tls";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { rawCall, shapeMismatches } from "./rawHttps";
import { startWebhookReceiver, type WebhookReceiver } from "./webhookReceiver";

const DAY_MS = 86_400_000;

function exampleEvent(file: string): Record<string, unknown> {
  const path = join(__dirname, "..", "..", "fixtures", "keyvault", file);
  return (JSON.parse(readFileSync(path, "utf8")) as { event: Record<string, unknown> }).event;
}
const VAULT = "kv-events";

function eventTypes(receiver: WebhookReceiver, path: string, key: string): string[] {
  return receiver
    .deliveries(path)
    .flatMap((delivery) => delivery.events)
    .filter((event) => event.subject === key)
    .map((event) => String(event.eventType ?? event.type).replace("Microsoft.KeyVault.", ""));
}

describe("Key Vault emulator events", () => {
  let emulator: KeyVaultEmulator;
  let receiver: WebhookReceiver;
  let keys: KeyClient;
  let clock: VirtualClock;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
  });
  beforeEach(async () => {
    await emulator?.stop();
    clock?.clearAll();
    clock = new VirtualClock();
    emulator = await startKeyVaultEmulator({
      vaults: [{ name: VAULT }],
      clock,
      throttling: false,
      delivery: { retryDelaysMs: [20, 20, 20], timeoutMs: 2000 },
    });
    keys = new KeyClient(emulator.vaultUrl(VAULT), sandboxCredential("app"), {
      disableChallengeResourceVerification: true,
      tlsOptions: { ca: testTls().caPem },
    });
  });
  afterAll(async () => {
    await emulator.stop();
    clock.clearAll();
    await receiver.stop();
  });

  it("sends new-version, near-expiry and expiry events once each, in both schemas, as the clock advances", async () => {
    await emulator.addEventSubscription(VAULT, {
      endpointUrl: receiver.url("/eg"),
      schema: "EventGridSchema",
    });
    const viaApi = await rawCall(`${emulator.vaultUrl(VAULT)}/_emulator/eventSubscriptions`, {
      method: "POST",
      body: { endpointUrl: receiver.url("/ce"), schema: "CloudEventSchemaV1_0" },
    });
    expect(viaApi.status).toBe(201);
    await emulator.addEventSubscription(VAULT, {
      endpointUrl: receiver.url("/expired-only"),
      includedEventTypes: ["Microsoft.KeyVault.KeyExpired"],
    });
    const exp = clock.nowSeconds() + 60 * 86_400;
    const nbf = clock.nowSeconds() - 60;
    const key = await keys.createRsaKey("cmk-ev", {
      expiresOn: new Date(exp * 1000),
      notBefore: new Date(nbf * 1000),
    });
    await emulator.waitForDeliveries(VAULT);
    expect(eventTypes(receiver, "/eg", "cmk-ev")).toEqual(["KeyNewVersionCreated"]);

    await clock.advance(29 * DAY_MS);
    expect(eventTypes(receiver, "/eg", "cmk-ev")).toEqual(["KeyNewVersionCreated"]);
    for (let day = 0; day < 5; day++) await clock.advance(DAY_MS);
    expect(eventTypes(receiver, "/eg", "cmk-ev")).toEqual(["KeyNewVersionCreated", "KeyNearExpiry"]);
    await clock.advance(365 * DAY_MS);
    await clock.advance(DAY_MS);
    await emulator.waitForDeliveries(VAULT);
    const expected = ["KeyNewVersionCreated", "KeyNearExpiry", "KeyExpired"];
    expect(eventTypes(receiver, "/eg", "cmk-ev")).toEqual(expected);
    expect(eventTypes(receiver, "/ce", "cmk-ev")).toEqual(expected);
    expect(eventTypes(receiver, "/expired-only", "cmk-ev")).toEqual(["KeyExpired"]);

    const [egDelivery] = receiver.deliveries("/eg").slice(-1);
    expect(egDelivery.headers["aeg-event-type"]).toBe("Notification");
    expect(egDelivery.headers["content-type"]).toBe("application/json");
    const armId = emulator.vaults[VAULT].armId;
    expect(armId).toMatch(
      /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.KeyVault\/vaults\/kv-events$/,
    );
    expect(egDelivery.events).toEqual([
      {
        id: expect.any(String) as string,
        topic: armId,
        subject: "cmk-ev",
        eventType: "Microsoft.KeyVault.KeyExpired",
        eventTime: new Date(exp * 1000).toISOString(),
        data: {
          Id: key.id,
          VaultName: VAULT,
          ObjectType: "Key",
          ObjectName: "cmk-ev",
          Version: key.properties.version,
          NBF: String(nbf),
          EXP: String(exp),
        },
        dataVersion: "1",
        metadataVersion: "1",
      },
    ]);
    // Same fields and JSON types as the Event Grid spec examples (a secret there, a key here).
    const [egNearExpiry] = receiver.deliveries("/eg")[1].events;
    expect(
      shapeMismatches(exampleEvent("EventGrid-SecretNewVersionCreated-example.json"), egNearExpiry),
    ).toEqual([]);
    expect(Object.keys(egNearExpiry).sort()).toEqual(
      Object.keys(exampleEvent("EventGrid-SecretNewVersionCreated-example.json")).sort(),
    );
    const [ceNearExpiry] = receiver.deliveries("/ce")[1].events;
    expect(
      shapeMismatches(exampleEvent("CloudEvents-SecretNewVersionCreated-example.json"), ceNearExpiry),
    ).toEqual([]);
    const [ceDelivery] = receiver.deliveries("/ce").slice(-1);
    expect(ceDelivery.headers["content-type"]).toMatch(/^application\/cloudevents-batch\+json/);
    expect(ceDelivery.events[0]).toMatchObject({
      specversion: "1.0",
      source: armId,
      subject: "cmk-ev",
      type: "Microsoft.KeyVault.KeyExpired",
    });
    expect(Object.keys(ceDelivery.events[0]).sort()).toEqual([
      "data",
      "id",
      "source",
      "specversion",
      "subject",
      "time",
      "type",
    ]);
  });

  it("retries a failing webhook, duplicates on demand and reports each delivery's outcome", async () => {
    await emulator.addEventSubscription(VAULT, { endpointUrl: receiver.url("/flaky") });
    receiver.failNext("/flaky", 2, 503);
    await keys.createRsaKey("cmk-retry");
    await emulator.waitForDeliveries(VAULT);
    expect(eventTypes(receiver, "/flaky", "cmk-retry")).toEqual(["KeyNewVersionCreated"]);
    expect(emulator.listDeliveries(VAULT)).toMatchObject([
      { attempts: 3, outcome: "Delivered", lastStatus: 200 },
    ]);

    receiver.failNext("/flaky", 10, 500);
    await keys.rotateKey("cmk-retry");
    await emulator.waitForDeliveries(VAULT);
    expect(emulator.listDeliveries(VAULT)[1]).toMatchObject({
      attempts: 4,
      outcome: "Failed",
      lastStatus: 500,
    });
    receiver.failNext("/flaky", 0, 500);

    receiver.failNext("/flaky", 1, 400);
    await keys.rotateKey("cmk-retry");
    await emulator.waitForDeliveries(VAULT);
    expect(emulator.listDeliveries(VAULT)[2]).toMatchObject({
      attempts: 1,
      outcome: "Dropped",
      lastStatus: 400,
    });

    const duplicate = await rawCall(`${emulator.vaultUrl(VAULT)}/_emulator/deliveries/duplicate`, {
      method: "POST",
      body: { count: 1 },
    });
    expect(duplicate.status).toBe(200);
    await keys.rotateKey("cmk-retry");
    await emulator.waitForDeliveries(VAULT);
    const lastTwo = receiver
      .deliveries("/flaky")
      .slice(-2)
      .map((delivery) => delivery.events[0].id);
    expect(lastTwo[0]).toBe(lastTwo[1]);
    const listed = await rawCall(`${emulator.vaultUrl(VAULT)}/_emulator/deliveries`);
    expect((listed.json as { value: unknown[] }).value).toHaveLength(5);
  });

  it("rejects a subscription whose endpoint fails the validation handshake", async () => {
    receiver.refuseValidation("/refuses");
    await expect(
      emulator.addEventSubscription(VAULT, { endpointUrl: receiver.url("/refuses") }),
    ).rejects.toMatchObject({
      status: 400,
      code: "ValidationFailed",
    });
    const viaApi = await rawCall(`${emulator.vaultUrl(VAULT)}/_emulator/eventSubscriptions`, {
      method: "POST",
      body: { endpointUrl: receiver.url("/refuses"), schema: "CloudEventSchemaV1_0" },
    });
    expect(viaApi.status).toBe(400);
    expect(viaApi.json).toMatchObject({ error: { code: "ValidationFailed" } });
    expect(emulator.listEventSubscriptions(VAULT)).toEqual([]);
  });

  it("executes a rotation policy once per due time, whether the clock ticks daily or jumps", async () => {
    await emulator.addEventSubscription(VAULT, { endpointUrl: receiver.url("/policy") });
    await keys.createRsaKey("cmk-policy");
    await keys.updateKeyRotationPolicy("cmk-policy", {
      lifetimeActions: [{ action: "Rotate", timeAfterCreate: "P30D" }],
      expiresIn: "P90D",
    });
    for (let day = 0; day < 35; day++) await clock.advance(DAY_MS);
    const versionCount = async () => {
      let count = 0;
      for await (const version of keys.listPropertiesOfKeyVersions("cmk-policy")) count += version ? 1 : 0;
      return count;
    };
    expect(await versionCount()).toBe(2);
    const rotated = await keys.getKey("cmk-policy");
    const created = rotated.properties.createdOn?.getTime() ?? 0;
    expect(rotated.properties.expiresOn?.getTime()).toBe(created + 90 * DAY_MS);
    await clock.advance(61 * DAY_MS);
    expect(await versionCount()).toBe(4);
    await emulator.waitForDeliveries(VAULT);
    expect(
      eventTypes(receiver, "/policy", "cmk-policy").filter((type) => type === "KeyNewVersionCreated"),
    ).toHaveLength(4);
  });
});
