// End to end through the local host: a rotation's outcome is published to the configured Event Grid topic.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startE2eStack, type E2eStack } from "../../support/e2eStack";
import { eventually, postRotation, seedKey, waitForRotation } from "./seedEstate";

/** A stand-in Event Grid topic on loopback: keeps every batch it receives. */
const received: { headers: IncomingHttpHeaders; events: Array<Record<string, unknown>> }[] = [];
let topic: Server;
let stack: E2eStack;

beforeAll(async () => {
  topic = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      received.push({
        headers: request.headers,
        events: JSON.parse(Buffer.concat(chunks).toString("utf8")) as Array<Record<string, unknown>>,
      });
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => topic.listen(0, "127.0.0.1", resolve));
  const { port } = topic.address() as AddressInfo;
  stack = await startE2eStack({
    eventSchema: "none",
    settings: {
      CMK_NOTIFY_TOPIC_ENDPOINT: `http://127.0.0.1:${port}/api/events`,
      CMK_NOTIFY_TOPIC_KEY: "e2e-topic-key",
    },
  });
});

afterAll(async () => {
  await stack?.stop();
  await new Promise((resolve) => topic?.close(resolve));
});

describe("outcome notifications", () => {
  it("publishes one CmkRotator.RotationCompleted event with the rotation record", async () => {
    const seeded = await seedKey(stack, {
      keyName: "cmk-notify",
      storage: [{ name: "stnotifypinned", mode: "pinned" }],
    });
    const { id } = await postRotation(stack, seeded.keyId);
    const record = await waitForRotation(stack, id);
    const batch = await eventually(
      () => received.find((candidate) => JSON.stringify(candidate.events).includes(id)),
      "the outcome event",
    );
    expect(batch.headers["aeg-sas-key"]).toBe("e2e-topic-key");
    expect(batch.events).toEqual([
      expect.objectContaining({
        eventType: "CmkRotator.RotationCompleted",
        subject: `/vaults/${stack.vaultName}/keys/cmk-notify`,
        data: expect.objectContaining({ id, status: "Completed", newVersion: record.newVersion }),
      }),
    ]);
  });
});
