// Resource Graph paging through the official client: 2,500 bulk-seeded storage accounts over two subscriptions.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startArmTestBed, VAULT, type ArmTestBed } from "./armTestBed";
import { queryAllPages, resourceGraphClient, STORAGE_TYPE } from "./resourceGraphClient";

const BULK = 2_500;

describe("ARM emulator Resource Graph paging", () => {
  let bed: ArmTestBed;
  let keyVersion: string;

  beforeAll(async () => {
    bed = await startArmTestBed();
    const key = await bed.keys.createRsaKey("bulk-cmk", { keySize: 2048 });
    keyVersion = key.properties.version ?? "";
    const started = Date.now();
    const seeded = await bed.arm.seedStorageAccounts({
      count: BULK,
      customerManagedKey: { vaultName: VAULT, keyName: "bulk-cmk", keyVersion },
    });
    expect(seeded.count).toBe(BULK);
    expect(Date.now() - started).toBeLessThan(5_000);
    // With the vault itself: BULK + 31 rows in all.
    await bed.arm.seedEnterprisePolicies({ count: 30, keyVaultName: VAULT, keyName: "bulk-cmk" });
  });
  afterAll(async () => bed.stop());

  it("pages through 2,500 storage accounts 1,000 at a time, in stable id order, across both subscriptions", async () => {
    const client = resourceGraphClient(bed.arm.url, "paging-reader");
    const query = `Resources | where type =~ '${STORAGE_TYPE}' | project id, name, subscriptionId, kv = properties.encryption.keyvaultproperties | order by id asc`;
    const { rows, pageSizes, totalRecords } = await queryAllPages(client, query, { top: 1000 });
    expect(pageSizes).toEqual([1000, 1000, 500]);
    expect(new Set(totalRecords)).toEqual(new Set([BULK]));
    const ids = rows.map((row) => String(row.id));
    expect(new Set(ids).size).toBe(BULK);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(rows.map((row) => row.subscriptionId))).toEqual(new Set(bed.arm.subscriptionIds));
    expect(rows[0].kv).toMatchObject({ keyname: "bulk-cmk", keyversion: keyVersion });
  });

  it("defaults to 100 rows a page and reports totalRecords, count and resultTruncated", async () => {
    const client = resourceGraphClient(bed.arm.url, "paging-default");
    const first = await client.resources({ query: "resources" });
    expect(first).toMatchObject({ totalRecords: BULK + 31, count: 100, resultTruncated: "false" });
    expect(first.skipToken).toBeTypeOf("string");
    const second = await client.resources({ query: "resources", options: { skipToken: first.skipToken } });
    expect((second.data as { id: string }[])[0].id > (first.data as { id: string }[])[99].id).toBe(true);
    const skipped = await client.resources({ query: "resources", options: { skip: 100, top: 1 } });
    expect(skipped.data).toEqual([(second.data as unknown[])[0]]);
  });

  it("truncates without a $skipToken when the projection drops id, and refuses $top over 1,000 or a foreign token", async () => {
    const client = resourceGraphClient(bed.arm.url, "paging-edges");
    const withoutId = await client.resources({ query: "resources | project name", options: { top: 1000 } });
    expect(withoutId).toMatchObject({ count: 1000, totalRecords: BULK + 31, resultTruncated: "true" });
    expect(withoutId.skipToken).toBeUndefined();
    await expect(client.resources({ query: "resources", options: { top: 1001 } })).rejects.toMatchObject({
      statusCode: 400,
      code: "BadRequest",
    });
    const token = (await client.resources({ query: "resources" })).skipToken;
    await expect(
      client.resources({
        query: `resources | where type =~ '${STORAGE_TYPE}'`,
        options: { skipToken: token },
      }),
    ).rejects.toMatchObject({ statusCode: 400 });
  });
});
