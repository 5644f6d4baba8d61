// Once-markers against in-process Azurite: a claim succeeds once, across store instances.
import { createHttpHeaders, type PipelinePolicy } from "@azure/core-rest-pipeline";
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

  it("a claim whose answer was lost and that the SDK sent again is still the first claim, not a repeat", async () => {
    let isFirstInsert = true;
    // After Table Storage has stored the first insert, its answer is lost: the client sees a 503 and resends.
    const loseFirstInsertAnswer: PipelinePolicy = {
      name: "loseFirstInsertAnswer",
      async sendRequest(request, next) {
        const response = await next(request);
        const isEntityInsert =
          request.method === "POST" && new URL(request.url).pathname.endsWith("/oncelost");
        if (!isEntityInsert || !isFirstInsert) return response;
        isFirstInsert = false;
        return { ...response, status: 503, headers: createHttpHeaders(), bodyAsText: "" };
      },
    };
    const table = TableClient.fromConnectionString(azurite.connectionString, "oncelost", {
      allowInsecureConnection: true,
      retryOptions: { retryDelayInMs: 10, maxRetries: 2 },
      additionalPolicies: [{ policy: loseFirstInsertAnswer, position: "perRetry" }],
    });
    const store = createTableOnceStore(table);
    expect(await store.claim("revocationRequest", "req-1", 1)).toBe(true);
    expect(isFirstInsert).toBe(false);
    // A real repeat is still refused.
    expect(await store.claim("revocationRequest", "req-1", 2)).toBe(false);
  });
});
