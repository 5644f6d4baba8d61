// ARM's headroom headers read off every answer in the client pipeline, per subscription and bucket, with their age.
import { createHttpHeaders, createPipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { ArmHeadroom, armHeadroomPolicy } from "../../../../src/lib/azure";

const SUB = "00000000-0000-4000-8000-00000000c0de";

function answer(status: number, headers: Record<string, string>) {
  return (request: ReturnType<typeof createPipelineRequest>): Promise<PipelineResponse> =>
    Promise.resolve({ request, status, headers: createHttpHeaders(headers) });
}

describe("armHeadroomPolicy", () => {
  it("records reads and writes left per subscription, also from a *ById path and a 429", async () => {
    let now = 1_000;
    const headroom = new ArmHeadroom(() => now);
    const policy = armHeadroomPolicy(headroom);
    await policy.sendRequest(
      createPipelineRequest({
        url: `https://management.azure.com/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st1?api-version=2025-08-01`,
      }),
      answer(200, { "x-ms-ratelimit-remaining-subscription-reads": "249" }),
    );
    now = 1_500;
    await policy.sendRequest(
      createPipelineRequest({
        url: `https://management.azure.com//subscriptions/${SUB.toUpperCase()}/resourceGroups/rg/providers/Microsoft.PowerPlatform/enterprisePolicies/ep?api-version=2020-10-30`,
        method: "PATCH",
      }),
      answer(429, { "x-ms-ratelimit-remaining-subscription-writes": "0", "retry-after": "3" }),
    );
    now = 2_000;
    expect(headroom.observations()).toEqual([
      { subscriptionId: SUB, kind: "reads", remaining: 249, ageMs: 1_000 },
      { subscriptionId: SUB, kind: "writes", remaining: 0, ageMs: 500 },
    ]);
  });

  it("keeps only the freshest report of a bucket and ignores answers without a subscription or a number", async () => {
    const headroom = new ArmHeadroom(() => 0);
    const policy = armHeadroomPolicy(headroom);
    const url = `https://management.azure.com/subscriptions/${SUB}/providers/Microsoft.Storage/storageAccounts?api-version=2025-08-01`;
    for (const remaining of ["120", "118", "n/a"])
      await policy.sendRequest(
        createPipelineRequest({ url }),
        answer(200, { "x-ms-ratelimit-remaining-subscription-reads": remaining }),
      );
    await policy.sendRequest(
      createPipelineRequest({
        url: "https://management.azure.com/providers/Microsoft.ResourceGraph/resources",
      }),
      answer(200, { "x-ms-ratelimit-remaining-subscription-reads": "3" }),
    );
    expect(headroom.observations()).toEqual([
      { subscriptionId: SUB, kind: "reads", remaining: 118, ageMs: 0 },
    ]);
  });
});
