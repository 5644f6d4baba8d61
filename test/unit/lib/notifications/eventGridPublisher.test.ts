// Outcome publishing through the real EventGridPublisherClient to a loopback topic; no-op without a topic.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sandboxCredential } from "../../../../sandbox/identity";
import type { RotationRecord } from "../../../../src/lib/audit";
import { createAzureClients } from "../../../../src/lib/azure";
import { createOutcomePublisher } from "../../../../src/lib/notifications";
import { loadSettings } from "../../../../src/lib/settings";

const base = {
  AzureWebJobsStorage: "UseDevelopmentStorage=true",
  CMK_ALLOWED_VAULTS: "kv1=https://127.0.0.1:8443",
  CMK_REVOCATION_SECRET: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
  CMK_SWEEP_SCHEDULE: "0 0 * * * *",
};
const record: RotationRecord = {
  id: "r-1",
  keyId: "https://127.0.0.1:8443/keys/cmk",
  status: "Completed",
  reason: "near expiry",
  trigger: "KeyNearExpiry",
  previousVersion: "v1",
  newVersion: "v2",
  targets: [],
  startedAt: "2026-01-01T00:00:00.000Z",
  finishedAt: "2026-01-01T00:01:00.000Z",
};

describe("outcome publisher", () => {
  let server: Server;
  let endpoint: string;
  const received: Array<{ headers: Record<string, unknown>; body: unknown[] }> = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
      request.on("end", () => {
        received.push({ headers: request.headers, body: JSON.parse(body) as unknown[] });
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/events`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it("does nothing without a topic", async () => {
    const publisher = createOutcomePublisher(
      createAzureClients(loadSettings(base), { credential: sandboxCredential("app") }),
    );
    expect(publisher.isEnabled).toBe(false);
    expect(
      await publisher.publish({ kind: "rotation", key: { vaultName: "kv1", keyName: "cmk" }, record }),
    ).toBe(false);
  });

  it("publishes one Event Grid event per outcome with a stable id", async () => {
    const settings = loadSettings({
      ...base,
      CMK_NOTIFY_TOPIC_ENDPOINT: endpoint,
      CMK_NOTIFY_TOPIC_KEY: "local-topic-key",
    });
    const publisher = createOutcomePublisher(
      createAzureClients(settings, { credential: sandboxCredential("app") }),
    );
    expect(publisher.isEnabled).toBe(true);
    expect(
      await publisher.publish({ kind: "rotation", key: { vaultName: "KV1", keyName: "Cmk" }, record }),
    ).toBe(true);
    expect(received).toHaveLength(1);
    expect(received[0].headers["aeg-sas-key"]).toBe("local-topic-key");
    expect(received[0].body).toEqual([
      expect.objectContaining({
        id: "r-1:Completed",
        eventType: "CmkRotator.RotationCompleted",
        subject: "/vaults/kv1/keys/cmk",
        dataVersion: "1.0",
        eventTime: "2026-01-01T00:01:00.000Z",
        data: record,
      }),
    ]);
  });
});
