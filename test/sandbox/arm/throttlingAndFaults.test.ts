// Throttling (429 + Retry-After + remaining headers, completed by the SDK's own retry) and fault injection.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR, VAULT, rawCall, startArmTestBed, type ArmTestBed } from "./armTestBed";

describe("ARM emulator throttling and faults", () => {
  let bed: ArmTestBed;
  const accountUrl = (name: string) =>
    `${bed.arm.url}/subscriptions/${bed.arm.subscriptionId}/resourceGroups/rg-cmk/providers/Microsoft.Storage/storageAccounts/${name}?api-version=2023-05-01`;

  beforeAll(async () => {
    bed = await startArmTestBed({ armThrottling: true, retries: 4 });
    await bed.arm.seedStorageAccount({ name: "stthrottle0" });
  });
  afterAll(async () => bed.stop());

  it("throttles Storage writes beyond 10 per second with 429, Retry-After and the remaining-writes header", async () => {
    const burst = [];
    const started = Date.now();
    for (let i = 0; i < 30; i++) {
      const body = { tags: { burst: `raw-${i}` } };
      burst.push(await rawCall(accountUrl("stthrottle0"), { method: "PATCH", principalId: OPERATOR, body }));
    }
    const elapsedSeconds = (Date.now() - started) / 1000;
    const throttled = burst.filter((r) => r.status === 429);
    const servedCount = burst.filter((r) => r.status === 200).length;
    // Token bucket: at most the 10-token burst plus 10 per second of elapsed time are served.
    expect(servedCount).toBeLessThanOrEqual(10 + Math.ceil(elapsedSeconds * 10) + 1);
    expect(throttled.length).toBe(30 - servedCount);
    expect(throttled.length).toBeGreaterThan(0);
    expect(throttled[0].headers["retry-after"]).toBe("1");
    expect(throttled[0].json).toMatchObject({ error: { code: "TooManyRequests" } });
    const served = burst.find((r) => r.status === 200)!;
    expect(Number(served.headers["x-ms-ratelimit-remaining-subscription-writes"])).toBeGreaterThan(150);
    const read = await rawCall(accountUrl("stthrottle0"), { principalId: OPERATOR });
    expect(read.headers["x-ms-ratelimit-remaining-subscription-reads"]).toBeDefined();
  });

  it("injects error statuses and latency, and can be driven over /_emulator/faults", async () => {
    bed.arm.setThrottling(false);
    const faults = await rawCall(`${bed.arm.url}/_emulator/faults`, {
      method: "PUT",
      body: { errorRate: 1, statuses: [500] },
    });
    expect(faults.status).toBe(200);
    expect(await rawCall(accountUrl("stthrottle0"), { principalId: OPERATOR })).toMatchObject({
      status: 500,
      json: { error: { code: "InternalServerError" } },
    });
    expect(
      (await rawCall(`${bed.arm.url}/_emulator/faults`, { method: "PUT", body: { errorRate: 2 } })).status,
    ).toBe(400);
    bed.arm.setFaults({ latencyMs: 150 });
    const started = Date.now();
    expect((await rawCall(accountUrl("stthrottle0"), { principalId: OPERATOR })).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect((await rawCall(`${bed.arm.url}/_emulator/faults`, { method: "DELETE" })).status).toBe(204);
    expect(bed.arm.faults()).toEqual({});
  });

  it("accepts a CMK change but keeps the account 'Updating' on the old version until the delay passes", async () => {
    const key = await bed.keys.createRsaKey("cmk-updating", { keySize: 2048 });
    const rotated = await bed.keys.rotateKey("cmk-updating");
    await bed.arm.seedStorageAccount({
      name: "stupdating1",
      customerManagedKey: { vaultName: VAULT, keyName: "cmk-updating", keyVersion: key.properties.version },
    });
    bed.arm.setFaults({ updatingMs: 60_000 });
    try {
      const accepted = await bed.storage.storageAccounts.update("rg-cmk", "stupdating1", {
        encryption: {
          keySource: "Microsoft.Keyvault",
          keyVaultProperties: {
            keyVaultUri: bed.vaultUrl,
            keyName: "cmk-updating",
            keyVersion: rotated.properties.version,
          },
        },
      });
      expect(accepted.provisioningState).toBe("Updating");
      expect(accepted.encryption?.keyVaultProperties?.keyVersion).toBe(key.properties.version);
      await expect(
        bed.storage.storageAccounts.update("rg-cmk", "stupdating1", { tags: { again: "yes" } }),
      ).rejects.toMatchObject({ statusCode: 409 });

      const policy = await bed.arm.seedEnterprisePolicy({
        name: "ep-updating",
        keyVaultName: VAULT,
        keyName: "cmk-updating",
      });
      const put = await rawCall(`${bed.arm.url}${policy.id}?api-version=2020-10-30`, {
        method: "PUT",
        principalId: OPERATOR,
        body: {
          location: "europe",
          kind: "Encryption",
          identity: { type: "SystemAssigned" },
          properties: {
            encryption: {
              state: "Enabled",
              keyVault: {
                id: bed.vaultArmId,
                key: { name: "cmk-updating", version: key.properties.version },
              },
            },
          },
        },
      });
      expect(put.status).toBe(200);
      const statusUrl = put.headers["azure-asyncoperation"] as string;
      expect((await rawCall(statusUrl, { principalId: OPERATOR })).json).toMatchObject({
        status: "InProgress",
      });

      await bed.clock.advance(60_000);
      const done = await bed.storage.storageAccounts.getProperties("rg-cmk", "stupdating1");
      expect(done.provisioningState).toBe("Succeeded");
      expect(done.encryption?.keyVaultProperties?.keyVersion).toBe(rotated.properties.version);
      expect((await rawCall(statusUrl, { principalId: OPERATOR })).json).toMatchObject({
        status: "Succeeded",
      });
    } finally {
      bed.arm.clearFaults();
    }
  });
});

describe("ARM emulator throttling through the official client", () => {
  let bed: ArmTestBed;

  beforeAll(async () => {
    // Small Storage bucket (3, refilled 3/s): the burst is throttled however slowly this machine opens connections.
    bed = await startArmTestBed({
      armThrottling: { storageWrites: { capacity: 3, refillPerSecond: 3 } },
      retries: 8,
    });
    for (let i = 0; i < 9; i++) await bed.arm.seedStorageAccount({ name: `stsdkburst${i}` });
  });
  afterAll(async () => bed.stop());

  it("completes a throttled burst through the client's own Retry-After handling", async () => {
    const results = await Promise.all(
      Array.from({ length: 9 }, (_, i) =>
        bed.storage.storageAccounts.update("rg-cmk", `stsdkburst${i}`, { tags: { burst: "sdk" } }),
      ),
    );
    expect(results.every((r) => r.tags?.burst === "sdk")).toBe(true);
    const { throttledRequests } = (await rawCall(`${bed.arm.url}/_emulator/throttling`)).json as {
      throttledRequests: number;
    };
    expect(throttledRequests).toBeGreaterThan(0);
  });
});
