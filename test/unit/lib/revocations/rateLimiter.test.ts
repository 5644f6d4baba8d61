// The per-key rate limit against in-process Azurite: a full window answers TooManyRequests with Retry-After, across restarts.
import { TableClient } from "@azure/data-tables";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAzurite, type RunningAzurite } from "../../../../sandbox/azurite";
import { DomainError } from "../../../../src/lib/errors";
import { claimRequestId, createTableRateLimiter, RequestRefusal } from "../../../../src/lib/revocations";
import { createTableOnceStore } from "../../../../src/lib/tables";

const KEY = { vaultName: "kv1", keyName: "cmk" };
const T0 = 1_800_000_000_000;

describe("revocation request guards in Table Storage", () => {
  let azurite: RunningAzurite;
  const table = (name: string) =>
    TableClient.fromConnectionString(azurite.connectionString, name, { allowInsecureConnection: true });
  beforeAll(async () => {
    azurite = await startAzurite({ services: ["table"] });
  });
  afterAll(async () => {
    await azurite.stop();
  });

  it("allows N requests per key per window, then 429 with the seconds until the oldest leaves", async () => {
    const limiter = createTableRateLimiter(table("ratelimittest"), {
      requestsPerWindow: 2,
      windowMs: 600_000,
    });
    await limiter.take(KEY, "req-a", T0);
    await limiter.take(KEY, "req-b", T0 + 60_000);
    // Another key has its own window.
    await limiter.take({ vaultName: "kv1", keyName: "other" }, "req-c", T0 + 60_000);
    // A fresh limiter over the same table (a host restart) still sees the window.
    const afterRestart = createTableRateLimiter(table("ratelimittest"), {
      requestsPerWindow: 2,
      windowMs: 600_000,
    });
    const refusal = await afterRestart.take(KEY, "req-d", T0 + 120_000).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(DomainError);
    expect((refusal as DomainError).code).toBe("TooManyRequests");
    expect((refusal as DomainError).status).toBe(429);
    expect((refusal as DomainError).details?.retryAfterSeconds).toBe(480);
    // Once the oldest request is out of the window there is room again.
    await expect(afterRestart.take(KEY, "req-e", T0 + 600_001)).resolves.toBeUndefined();
  });

  it("gives a slot back for a request that changed nothing (twice is harmless)", async () => {
    const limiter = createTableRateLimiter(table("ratelimitgiveback"), {
      requestsPerWindow: 1,
      windowMs: 600_000,
    });
    await limiter.take(KEY, "req-refused-start", T0);
    await limiter.giveBack(KEY, "req-refused-start", T0);
    await limiter.giveBack(KEY, "req-refused-start", T0);
    await expect(limiter.take(KEY, "req-again", T0 + 1_000)).resolves.toBeUndefined();
    const full = await limiter.take(KEY, "req-third", T0 + 2_000).catch((error: unknown) => error);
    expect((full as DomainError).code).toBe("TooManyRequests");
  });

  it("accepts a requestId once, also from a second store over the same table", async () => {
    await claimRequestId(createTableOnceStore(table("oncerevtest")), "req-00000001", T0, "revoke kv1/cmk");
    const replay = await claimRequestId(
      createTableOnceStore(table("oncerevtest")),
      "req-00000001",
      T0,
      "revoke kv1/cmk",
    ).catch((error: unknown) => error);
    expect(replay).toBeInstanceOf(RequestRefusal);
    expect((replay as RequestRefusal).reason).toBe("ReplayedRequest");
  });
});
