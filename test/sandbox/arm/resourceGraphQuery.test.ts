// Resource Graph queries through the official client: the KQL subset, rows agreeing with ARM GETs, UnsupportedQuery.
import { RestError } from "@azure/core-rest-pipeline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR, VAULT, rawCall, startArmTestBed, type ArmTestBed } from "./armTestBed";
import { POLICY_TYPE, queryAllPages, resourceGraphClient, STORAGE_TYPE } from "./resourceGraphClient";

describe("ARM emulator Resource Graph queries", () => {
  let bed: ArmTestBed;
  let version: string;
  const secondSubscription = () => bed.arm.subscriptionIds[1];

  beforeAll(async () => {
    bed = await startArmTestBed();
    version = (await bed.keys.createRsaKey("rg-cmk-key", { keySize: 2048 })).properties.version ?? "";
    await bed.keys.createRsaKey("other-key", { keySize: 2048 });
    const cmk = (keyName: string, keyVersion?: string) => ({ vaultName: VAULT, keyName, keyVersion });
    await bed.arm.seedStorageAccount({ name: "stpinned", customerManagedKey: cmk("rg-cmk-key", version) });
    await bed.arm.seedStorageAccount({ name: "stautomatic", customerManagedKey: cmk("rg-cmk-key") });
    await bed.arm.seedStorageAccount({ name: "stother", customerManagedKey: cmk("other-key") });
    await bed.arm.seedStorageAccount({ name: "stmsmanaged" });
    await bed.arm.seedStorageAccount({
      name: "stsecondsub",
      subscriptionId: secondSubscription(),
      resourceGroup: "RG-Second",
      customerManagedKey: cmk("rg-cmk-key", version),
    });
    // The test bed's Key Vault emulator has its own subscription: name the vault by its ARM id.
    await bed.arm.seedEnterprisePolicy({
      name: "ep-versionless",
      keyVaultId: bed.vaultArmId,
      keyName: "rg-cmk-key",
    });
    await bed.arm.seedEnterprisePolicy({
      name: "ep-pinned",
      subscriptionId: secondSubscription(),
      keyVaultId: bed.vaultArmId,
      keyName: "rg-cmk-key",
      keyVersion: version,
    });
  });
  afterAll(async () => bed.stop());

  const names = async (query: string, principal = "query-reader") =>
    (await queryAllPages(resourceGraphClient(bed.arm.url, principal), query)).rows.map((row) => row.name);

  it("finds the storage accounts and policies on one key, in every subscription", async () => {
    const vaultUri = bed.vaultUrl.toUpperCase();
    const storage = await names(
      `resources | where type =~ '${STORAGE_TYPE}' | where properties.encryption.keySource =~ 'microsoft.keyvault'` +
        ` and tolower(properties.encryption.keyvaultproperties.keyvaulturi) contains tolower('${vaultUri}')` +
        ` and properties.encryption.keyvaultproperties.keyname =~ 'RG-CMK-KEY' | order by name asc`,
    );
    expect(storage).toEqual(["stautomatic", "stpinned", "stsecondsub"]);
    const policies = await names(
      `Resources | where type == '${POLICY_TYPE}' and tolower(tostring(properties.encryption.keyVault.id)) == tolower('${bed.vaultArmId}')` +
        ` | where properties.encryption.keyVault.key.name == 'rg-cmk-key' | order by name`,
    );
    expect(policies).toEqual(["ep-versionless", "ep-pinned"]);
  });

  it("evaluates ==, !=, or, parentheses, null semantics, extend and project naming as KQL does", async () => {
    expect(await names(`resources | where name == 'STPINNED'`)).toEqual([]);
    expect(
      await names(
        `resources | where name =~ 'STPINNED' or (name contains 'second' and type =~ '${STORAGE_TYPE}')`,
      ),
    ).toEqual(["stpinned", "stsecondsub"]);
    // A missing property compares as null (row dropped); tostring() of it is "" (row kept).
    expect(
      await names(
        `resources | where properties.encryption.keyvaultproperties.keyname != 'rg-cmk-key' | order by name asc`,
      ),
    ).toEqual(["stother"]);
    expect(
      await names(
        `resources | where type =~ '${STORAGE_TYPE}' | where tostring(properties.encryption.keyvaultproperties.keyname) != 'rg-cmk-key' | order by name asc`,
      ),
    ).toEqual(["stmsmanaged", "stother"]);
    const client = resourceGraphClient(bed.arm.url, "query-reader");
    const page = await client.resources({
      query: `resources | where name =~ 'stpinned' | extend kv = properties.encryption.keyvaultproperties | project id, kv.keyversion, version = kv.keyversion, rg = resourceGroup, t = type`,
    });
    expect(page.data).toEqual([
      {
        id: `/subscriptions/${bed.arm.subscriptionId}/resourceGroups/rg-cmk/providers/Microsoft.Storage/storageAccounts/stpinned`,
        kv_keyversion: version,
        version,
        rg: "rg-cmk",
        t: STORAGE_TYPE,
      },
    ]);
  });

  it("returns rows that agree with the ARM GET of each resource", async () => {
    const { rows } = await queryAllPages(
      resourceGraphClient(bed.arm.url, "query-agreement"),
      "resources | order by id asc",
    );
    // Storage accounts, policies and the vault.
    expect(rows).toHaveLength(8);
    for (const row of rows) {
      const isStorage = row.type === STORAGE_TYPE;
      const isVault = row.type === "microsoft.keyvault/vaults";
      const apiVersion = isStorage ? "2023-05-01" : isVault ? "2023-07-01" : "2020-10-30";
      const got = await rawCall(`${bed.arm.url}${String(row.id)}?api-version=${apiVersion}`, {
        principalId: OPERATOR,
      });
      expect(got.status).toBe(200);
      const arm = got.json as Record<string, unknown>;
      expect(row).toMatchObject({
        id: arm.id,
        name: arm.name,
        type: String(arm.type).toLowerCase(),
        location: arm.location,
        kind: arm.kind ?? "",
        tags: arm.tags,
        properties: arm.properties,
        identity: arm.identity ?? null,
        tenantId: bed.arm.tenantId,
      });
      if (isStorage) expect(row.sku).toEqual(arm.sku);
      const [, , subscriptionId, , resourceGroup] = String(arm.id).split("/");
      expect(row.subscriptionId).toBe(subscriptionId);
      expect(row.resourceGroup).toBe(resourceGroup.toLowerCase());
    }
  });

  it.each([
    ["resources | limit 5", "the operator 'limit'"],
    ["resources | take 5", "the operator 'take'"],
    ["resources | summarize count() by type", "the operator 'summarize'"],
    ["resourcecontainers", "the table 'resourcecontainers'"],
    ["resources | where name !~ 'x'", "the comparison operator '!~'"],
    ["resources | where name has 'x'", "the comparison operator 'has'"],
    ["resources | where name startswith 'x'", "the comparison operator 'startswith'"],
    ["resources | where toupper(name) == 'X'", "the function 'toupper()'"],
    ["resources | where properties['x'] == 'y'", "bracket property access"],
    ["resources | mv-expand tags", "the operator 'mv-expand'"],
    ["resources | where name == 1", "number literals"],
    ["resources | sort by id", "the operator 'sort'"],
  ])("answers %j with 400 UnsupportedQuery naming %s", async (query, part) => {
    const client = resourceGraphClient(bed.arm.url, "query-unsupported");
    const error: unknown = await client.resources({ query }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RestError);
    expect(error).toMatchObject({ statusCode: 400, code: "UnsupportedQuery" });
    expect((error as RestError).message).toContain(part);
  });

  it("answers the raw wire shape with the api-versions it serves, and 400 for others", async () => {
    const url = (v: string) => `${bed.arm.url}/providers/Microsoft.ResourceGraph/resources?api-version=${v}`;
    const body = { query: "resources | where name =~ 'stpinned' | project id, name" };
    for (const version of ["2024-04-01", "2022-10-01", "2021-03-01"]) {
      const answer = await rawCall(url(version), { method: "POST", body, principalId: "raw-reader" });
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({
        totalRecords: 1,
        count: 1,
        resultTruncated: "false",
        data: [{ id: expect.stringContaining("/stpinned") as unknown, name: "stpinned" }],
        facets: [],
      });
    }
    expect(
      (await rawCall(url("2019-04-01"), { method: "POST", body, principalId: "raw-reader" })).json,
    ).toMatchObject({
      error: { code: "InvalidApiVersionParameter" },
    });
    expect((await rawCall(url("2024-04-01"), { method: "POST", body: { query: "resources" } })).status).toBe(
      401,
    );
    expect(
      (
        await rawCall(url("2024-04-01"), {
          method: "POST",
          body: { query: "resources", options: { resultFormat: "table" } },
          principalId: "raw-reader",
        })
      ).json,
    ).toMatchObject({ error: { code: "UnsupportedQuery" } });
  });
});
