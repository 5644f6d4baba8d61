// Property-based test of the HTTP doors and the Event Grid trigger through the local host: generated bodies,
// headers and event batches never get a 5xx, a 4xx always has the error shape, and invalid input starts nothing.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signBody } from "../../../src/lib/signing";
import { E2E_REVOCATION_SECRET, startE2eStack, type E2eStack } from "../../support/e2eStack";

const RUNS = 100;
let stack: E2eStack;

beforeAll(async () => {
  stack = await startE2eStack({ eventSchema: "none" });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

const instanceCount = () => stack.host.durableStore.instances.size;

/** Any JSON value, biased towards objects with the door's own field names. */
const jsonValue = fc.jsonValue({ maxDepth: 3 });
const objectWith = (fields: string[], value: fc.Arbitrary<unknown>) =>
  fc.dictionary(fc.constantFrom(...fields, "extra"), value, { maxKeys: fields.length + 1 });

const vaultNames = () => fc.constantFrom("kv-e2e", "KV-E2E", "kv-other", "", "kv-e2e/../x", "%2e%2e");
const keyIds = () =>
  fc.oneof(
    fc.string(),
    fc.constant("/keys/cmk-missing").map((path) => stack.vaultUrl() + path),
    fc.constant("/keys/cmk-missing/0123").map((path) => stack.vaultUrl() + path),
    fc.string().map((name) => `${stack.vaultUrl()}/keys/${name}`),
    fc.constant("https://evil.example/keys/cmk"),
  );
const fieldValue = () => fc.oneof(jsonValue, keyIds(), fc.boolean(), vaultNames());

const bodies = (fields: string[]) =>
  fc.oneof(
    { weight: 4, arbitrary: objectWith(fields, fieldValue()).map((body) => JSON.stringify(body)) },
    { weight: 1, arbitrary: jsonValue.map((value) => JSON.stringify(value)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  );

const contentTypes = fc.constantFrom(
  "application/json",
  "application/json; charset=utf-8",
  "text/plain",
  "application/x-www-form-urlencoded",
  "application/cloudevents-batch+json",
);

function expectWellFormed(status: number, text: string, where: string): void {
  expect(status, `${where}: ${text}`).toBeLessThan(500);
  if (status >= 400) {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    expect(typeof body.error?.code, `${where}: ${text}`).toBe("string");
    expect(typeof body.error?.message, `${where}: ${text}`).toBe("string");
  }
}

/** Sends one request; a 4xx must not have started an orchestration. */
async function send(
  path: string,
  init: Omit<RequestInit, "body"> & { body: string; key?: string | null },
  where: string,
): Promise<number> {
  const before = instanceCount();
  const response = await stack.call(path, init);
  const text = await response.text();
  expectWellFormed(response.status, text, `${where} ${init.body.slice(0, 200)}`);
  if (response.status >= 400)
    expect(instanceCount(), `${where} started an instance on ${response.status}`).toBe(before);
  return response.status;
}

describe("HTTP doors under generated input", () => {
  it("POST /api/rotations", async () => {
    await fc.assert(
      fc.asyncProperty(bodies(["keyId", "reason", "dryRun"]), contentTypes, async (body, contentType) => {
        await send(
          "/api/rotations",
          { method: "POST", body, headers: { "content-type": contentType } },
          "rotations",
        );
      }),
      { numRuns: RUNS },
    );
  });

  it("PUT /api/bindings/{vault}/{key}", async () => {
    await fc.assert(
      fc.asyncProperty(
        vaultNames(),
        fc.oneof(fc.constant("cmk-a"), fc.string({ minLength: 1, maxLength: 20 })),
        bodies(["targets", "policy"]),
        async (vault, key, body) => {
          await send(
            `/api/bindings/${encodeURIComponent(vault || "x")}/${encodeURIComponent(key)}`,
            { method: "PUT", body },
            "bindings",
          );
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("POST /api/revocations, unsigned and signed", async () => {
    await fc.assert(
      fc.asyncProperty(
        bodies(["keyId", "reason", "requestId"]),
        fc.constantFrom("none", "valid", "stale", "garbage"),
        async (body, signing) => {
          const nowSeconds = Math.floor(Date.now() / 1000);
          const timestamp = signing === "stale" ? nowSeconds - 3_600 : nowSeconds;
          const headers: Record<string, string> = { "content-type": "application/json" };
          if (signing !== "none") {
            headers["x-cmk-timestamp"] = String(timestamp);
            headers["x-cmk-signature"] =
              signing === "garbage" ? "sha256=00" : signBody(E2E_REVOCATION_SECRET, timestamp, body);
          }
          const status = await send(
            "/api/revocations",
            { method: "POST", body, headers, key: null },
            `revocations/${signing}`,
          );
          if (signing !== "valid") expect(status).toBe(401);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("POST /api/sweeps", async () => {
    await fc.assert(
      fc.asyncProperty(bodies(["reason", "vaultName", "force", "dryRun"]), async (body) => {
        await send("/api/sweeps", { method: "POST", body }, "sweeps");
        await stack.host.whenIdle();
      }),
      { numRuns: RUNS },
    );
  });
});

describe("Event Grid trigger under generated batches", () => {
  const eventTypes = fc.constantFrom(
    "Microsoft.KeyVault.KeyNearExpiry",
    "Microsoft.KeyVault.KeyNewVersionCreated",
    "Microsoft.KeyVault.KeyExpired",
    "Microsoft.KeyVault.SecretNearExpiry",
    "Something.Else",
  );
  const eventData = fc.oneof(
    jsonValue,
    fc.record(
      {
        Id: keyIds(),
        VaultName: vaultNames(),
        ObjectType: fc.constantFrom("Key", "Secret", 3),
        ObjectName: fc.oneof(fc.constant("cmk-missing"), fc.string()),
        Version: fc.oneof(fc.stringMatching(/^[0-9a-f]{0,32}$/), fc.constant(null)),
        NBF: fc.oneof(fc.integer(), fc.string(), fc.constant(null)),
        EXP: fc.oneof(fc.integer(), fc.string(), fc.constant(null)),
      },
      { requiredKeys: [] },
    ),
  );
  const eventGridEvent = fc.record(
    {
      id: fc.oneof(fc.uuid(), fc.string()),
      eventType: eventTypes,
      subject: fc.string(),
      topic: fc.string(),
      eventTime: fc.oneof(
        fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
        fc.string(),
      ),
      dataVersion: fc.constant("1"),
      data: eventData,
    },
    { requiredKeys: [] },
  );
  const cloudEvent = fc.record(
    {
      specversion: fc.constantFrom("1.0", "0.3", ""),
      id: fc.oneof(fc.uuid(), fc.string()),
      type: eventTypes,
      source: fc.string(),
      subject: fc.string(),
      time: fc.string(),
      data: eventData,
    },
    { requiredKeys: [] },
  );
  const batches = fc.oneof(
    fc.array(eventGridEvent, { maxLength: 5 }).map((batch) => JSON.stringify(batch)),
    fc.array(cloudEvent, { maxLength: 5 }).map((batch) => JSON.stringify(batch)),
    cloudEvent.map((event) => JSON.stringify(event)),
    jsonValue.map((value) => JSON.stringify(value)),
    fc.string({ maxLength: 200 }),
  );

  it("never answers 5xx and starts nothing for events about keys that do not exist", async () => {
    await fc.assert(
      fc.asyncProperty(batches, contentTypes, async (body, contentType) => {
        const before = instanceCount();
        const response = await fetch(stack.host.eventGridWebhookUrl("keyVaultEvents"), {
          method: "POST",
          body,
          headers: { "content-type": contentType, "aeg-event-type": "Notification" },
        });
        const text = await response.text();
        expect(response.status, `${body.slice(0, 300)} → ${text}`).toBeLessThan(500);
        await stack.host.whenIdle();
        expect(instanceCount(), body.slice(0, 300)).toBe(before);
      }),
      { numRuns: RUNS },
    );
  });
});
