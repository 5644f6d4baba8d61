// Once-markers against in-process Azurite: a claim succeeds once, across store instances.
import { TableClient } from "@azure/data-tables";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAzurite, type RunningAzurite } from "../../../../sandbox/azurite";
import { createTableOnceStore } from "../../../../src/lib/tables";

describe("table once store", () => {
  let azurite: RunningAzurite;
  beforeAll(async () => {
    azurite = await startAzurite({ services: ["table"] });
  });
  afterAll(async () => {
    await azurite.stop();
  });

  it("claims an id once, even from a second process-like instance, and can release it", async () => {
    const table = () =>
      TableClient.fromConnectionString(azurite.connectionString, "oncetest", {
        allowInsecureConnection: true,
      });
    const first = createTableOnceStore(table());
    const second = createTableOnceStore(table());
    const id = "kv1/cmk/v1/Microsoft.KeyVault.KeyNearExpiry";
    const results = await Promise.all([first.claim("event", id, 1), second.claim("event", id, 1)]);
    expect(results.sort()).toEqual([false, true]);
    expect(await second.isClaimed("event", id)).toBe(true);
    expect(await first.claim("request", id, 1)).toBe(true);
    await first.release("event", id);
    expect(await second.isClaimed("event", id)).toBe(false);
    expect(await second.claim("event", id, 2)).toBe(true);
  });
});
