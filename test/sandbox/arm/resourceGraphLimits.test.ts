// Resource Graph's user quota (429 past 15 queries in 5 s), injected faults, and subscriptions the caller may not read.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RESOURCE_GRAPH_QUOTA } from "../../../sandbox/arm";
import { OPERATOR, VAULT, rawCall, startArmTestBed, type ArmTestBed } from "./armTestBed";
import { queryAllPages, resourceGraphClient } from "./resourceGraphClient";

describe("ARM emulator Resource Graph quota, faults and subscriptions", () => {
  let bed: ArmTestBed;
  const graphUrl = () => `${bed.arm.url}/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01`;
  const query = (principalId: string, body: unknown = { query: "resources | project id" }) =>
    rawCall(graphUrl(), { method: "POST", body, principalId });

  beforeAll(async () => {
    bed = await startArmTestBed({ armThrottling: true });
    await bed.arm.seedStorageAccount({ name: "stprimary" });
    await bed.arm.seedStorageAccount({ name: "stsecond", subscriptionId: bed.arm.subscriptionIds[1] });
  });
  afterEach(() => {
    bed.arm.setResourceGraphQuota(RESOURCE_GRAPH_QUOTA);
    bed.arm.clearResourceGraphFaults();
    bed.arm.clearFaults();
    for (const id of bed.arm.subscriptionIds) bed.arm.allowSubscriptionRead(id);
  });
  afterAll(async () => bed.stop());

  it("allows 15 queries per 5 s per caller, counting down x-ms-user-quota-remaining, then answers 429 RateLimiting", async () => {
    expect(bed.arm.resourceGraphQuota()).toEqual({ queriesPerWindow: 15, windowMs: 5_000 });
    const answers = [];
    for (let i = 0; i < 16; i++) answers.push(await query("quota-caller"));
    expect(answers.slice(0, 15).map((a) => a.status)).toEqual(Array<number>(15).fill(200));
    expect(answers.slice(0, 15).map((a) => Number(a.headers["x-ms-user-quota-remaining"]))).toEqual([
      14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0,
    ]);
    expect(answers[0].headers["x-ms-user-quota-resets-after"]).toMatch(/^00:00:0[1-5]$/);
    const throttled = answers[15];
    expect(throttled.status).toBe(429);
    expect(throttled.json).toMatchObject({ error: { code: "RateLimiting" } });
    expect(Number(throttled.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect(throttled.headers["x-ms-user-quota-remaining"]).toBe("0");
    // Another caller has a window of its own; ARM's read headers are not charged by Resource Graph.
    const other = await query("quota-other-caller");
    expect(other.headers["x-ms-user-quota-remaining"]).toBe("14");
    expect(other.headers["x-ms-ratelimit-remaining-subscription-reads"]).toBeUndefined();
  });

  it("throws the 429 through the official client, and serves again once the window has passed", async () => {
    bed.arm.setResourceGraphQuota({ queriesPerWindow: 2, windowMs: 1_000 });
    const client = resourceGraphClient(bed.arm.url, "quota-sdk");
    await client.resources({ query: "resources" });
    await client.resources({ query: "resources" });
    await expect(client.resources({ query: "resources" })).rejects.toMatchObject({
      statusCode: 429,
      code: "RateLimiting",
    });
    await new Promise((resolve) => setTimeout(resolve, 1_050));
    // Two storage accounts and the vault.
    expect((await client.resources({ query: "resources" })).totalRecords).toBe(3);
  });

  it("changes the quota through /_emulator/resourceGraph/quota and stops enforcing it when throttling is off", async () => {
    const put = await rawCall(`${bed.arm.url}/_emulator/resourceGraph/quota`, {
      method: "PUT",
      body: { queriesPerWindow: 1, windowMs: 60_000 },
    });
    expect(put).toMatchObject({ status: 200, json: { queriesPerWindow: 1, windowMs: 60_000 } });
    expect((await query("quota-control")).status).toBe(200);
    expect((await query("quota-control")).status).toBe(429);
    bed.arm.setThrottling(false);
    try {
      expect((await query("quota-control")).status).toBe(200);
    } finally {
      bed.arm.setThrottling(true);
    }
    const bad = await rawCall(`${bed.arm.url}/_emulator/resourceGraph/quota`, { method: "PUT", body: {} });
    expect(bad.status).toBe(400);
  });

  it("answers injected 5xx for Resource Graph alone, or with every ARM request", async () => {
    bed.arm.setResourceGraphFaults({ errorRate: 1, statuses: [503] });
    const client = resourceGraphClient(bed.arm.url, "fault-caller");
    await expect(client.resources({ query: "resources" })).rejects.toMatchObject({ statusCode: 503 });
    const accountUrl = `${bed.arm.url}/subscriptions/${bed.arm.subscriptionId}/resourceGroups/rg-cmk/providers/Microsoft.Storage/storageAccounts/stprimary?api-version=2023-05-01`;
    expect((await rawCall(accountUrl, { principalId: OPERATOR })).status).toBe(200);
    bed.arm.clearResourceGraphFaults();
    const controlPut = await rawCall(`${bed.arm.url}/_emulator/resourceGraph/faults`, {
      method: "PUT",
      body: { errorRate: 1, statuses: [500] },
    });
    expect(controlPut.status).toBe(200);
    expect(await query("fault-caller")).toMatchObject({
      status: 500,
      json: { error: { code: "InternalServerError" } },
    });
    expect(
      (await rawCall(`${bed.arm.url}/_emulator/resourceGraph/faults`, { method: "DELETE" })).status,
    ).toBe(204);
    bed.arm.setFaults({ errorRate: 1, statuses: [502] });
    expect((await query("fault-caller")).status).toBe(502);
    bed.arm.clearFaults();
    expect((await query("fault-caller")).status).toBe(200);
  });

  it("searches the second subscription, and leaves out a subscription the caller may not read", async () => {
    const [primary, second] = bed.arm.subscriptionIds;
    const client = resourceGraphClient(bed.arm.url, "subscription-reader");
    const namesIn = async (subscriptions?: string[]) =>
      (await queryAllPages(client, "resources | project id, name", { subscriptions })).rows.map(
        (r) => r.name,
      );
    expect(await namesIn()).toEqual([VAULT, "stprimary", "stsecond"]);
    expect(await namesIn([second])).toEqual(["stsecond"]);

    bed.arm.denySubscriptionRead(second, "subscription-reader");
    expect(await namesIn()).toEqual([VAULT, "stprimary"]);
    expect(await namesIn([second])).toEqual([]);
    const secondUrl = `${bed.arm.url}/subscriptions/${second}/resourceGroups/rg-cmk/providers/Microsoft.Storage/storageAccounts/stsecond?api-version=2023-05-01`;
    expect(await rawCall(secondUrl, { principalId: "subscription-reader" })).toMatchObject({
      status: 403,
      json: { error: { code: "AuthorizationFailed" } },
    });
    expect((await rawCall(secondUrl, { principalId: OPERATOR })).status).toBe(200);
    const listed = await rawCall(`${bed.arm.url}/subscriptions?api-version=2022-12-01`, {
      principalId: "subscription-reader",
    });
    expect(listed.json).toMatchObject({ value: [{ subscriptionId: primary }] });
    expect((listed.json as { value: unknown[] }).value).toHaveLength(1);

    const control = await rawCall(`${bed.arm.url}/_emulator/subscriptions/${second}/access`, {
      method: "PUT",
      body: { isReadable: false },
    });
    expect(control.status).toBe(200);
    expect((await rawCall(secondUrl, { principalId: OPERATOR })).status).toBe(403);
    bed.arm.allowSubscriptionRead(second);
    expect(await namesIn()).toEqual([VAULT, "stprimary", "stsecond"]);
  });

  it("seeds in bulk through /_emulator, across the named subscriptions", async () => {
    const second = bed.arm.subscriptionIds[1];
    const seeded = await rawCall(`${bed.arm.url}/_emulator/storageAccounts/bulk`, {
      method: "POST",
      body: { count: 3, namePrefix: "stctl", subscriptionIds: [second] },
    });
    expect(seeded).toMatchObject({ status: 201, json: { count: 3 } });
    const policies = await rawCall(`${bed.arm.url}/_emulator/enterprisePolicies/bulk`, {
      method: "POST",
      body: { count: 2, keyVaultId: bed.vaultArmId, keyName: "any-key" },
    });
    expect(policies).toMatchObject({ status: 201, json: { count: 2 } });
    const client = resourceGraphClient(bed.arm.url, "bulk-reader");
    const page = await client.resources({
      query: "resources | where name contains 'stctl' | project id, subscriptionId",
    });
    expect(page.data).toEqual(
      [0, 1, 2].map((i) => ({
        id: expect.stringContaining(`/stctl0000${i}`) as unknown,
        subscriptionId: second,
      })),
    );
    const bad = await rawCall(`${bed.arm.url}/_emulator/storageAccounts/bulk`, {
      method: "POST",
      body: { count: 0 },
    });
    expect(bad.status).toBe(400);
  });
});
