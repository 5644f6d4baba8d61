// Key Vault's bare 429 (no Retry-After): waits 1, 2, 4, 8, 16 s and sends again; everything else passes to the SDK's own retries.
import {
  createHttpHeaders,
  createPipelineRequest,
  type PipelineRequest,
  type PipelineResponse,
} from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { KEY_VAULT_BACKOFF_MS, keyVaultThrottlingBackoffPolicy } from "../../../../src/lib/azure";

/** A `next` that answers the given statuses in turn (the last one from then on), counting the sends. */
function answers(...replies: Array<{ status: number; headers?: Record<string, string> }>) {
  let sent = 0;
  const next = (request: PipelineRequest): Promise<PipelineResponse> => {
    const reply = replies[Math.min(sent, replies.length - 1)];
    sent += 1;
    return Promise.resolve({
      request,
      status: reply.status,
      headers: createHttpHeaders(reply.headers ?? {}),
    });
  };
  return { next, sent: () => sent };
}

const request = () =>
  createPipelineRequest({ url: "https://kv1.vault.azure.net/keys/cmk/create?api-version=7.5" });

describe("keyVaultThrottlingBackoffPolicy", () => {
  it("waits 1, 2, 4, 8, 16 s between sends while Key Vault answers 429 without Retry-After, then gives the 429 back", async () => {
    const waits: number[] = [];
    const policy = keyVaultThrottlingBackoffPolicy({ sleep: (ms) => (waits.push(ms), Promise.resolve()) });
    const server = answers({ status: 429 });
    const response = await policy.sendRequest(request(), server.next);
    expect(response.status).toBe(429);
    expect(waits).toEqual([...KEY_VAULT_BACKOFF_MS]);
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 16_000]);
    expect(server.sent()).toBe(6);
  });

  it("stops backing off as soon as Key Vault answers", async () => {
    const waits: number[] = [];
    const policy = keyVaultThrottlingBackoffPolicy({ sleep: (ms) => (waits.push(ms), Promise.resolve()) });
    const server = answers({ status: 429 }, { status: 429 }, { status: 200 });
    expect((await policy.sendRequest(request(), server.next)).status).toBe(200);
    expect(waits).toEqual([1_000, 2_000]);
  });

  it.each([
    [
      "a 429 with Retry-After (the SDK's throttling retry waits it)",
      { status: 429, headers: { "retry-after": "3" } },
    ],
    ["a 429 with retry-after-ms", { status: 429, headers: { "retry-after-ms": "300" } }],
    ["a 503 (the SDK's exponential retry)", { status: 503 }],
    ["a 200", { status: 200 }],
  ])("passes %s straight through", async (_what, reply) => {
    const waits: number[] = [];
    const policy = keyVaultThrottlingBackoffPolicy({ sleep: (ms) => (waits.push(ms), Promise.resolve()) });
    const server = answers(reply);
    expect((await policy.sendRequest(request(), server.next)).status).toBe(reply.status);
    expect(waits).toEqual([]);
    expect(server.sent()).toBe(1);
  });

  it("scales the waits from the first one and honours a retry count (0 turns it off)", async () => {
    const waits: number[] = [];
    const sleep = (ms: number) => (waits.push(ms), Promise.resolve());
    await keyVaultThrottlingBackoffPolicy({ firstDelayMs: 10, maxRetries: 3, sleep }).sendRequest(
      request(),
      answers({ status: 429 }).next,
    );
    expect(waits).toEqual([10, 20, 40]);
    const off = answers({ status: 429 });
    await keyVaultThrottlingBackoffPolicy({ maxRetries: 0, sleep }).sendRequest(request(), off.next);
    expect(off.sent()).toBe(1);
  });
});
