// Conformance of the ARM emulator's enterprise policies through ResourceManagementClient *ById, and the BAP link API.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR, missingPaths, rawCall, startArmTestBed, type ArmTestBed } from "./armTestBed";

const FIXTURES = join(__dirname, "..", "..", "fixtures", "arm");
const API = "2020-10-30-preview";
const poll = { updateIntervalInMs: 10 };

interface PolicyProperties {
  healthStatus: string;
  systemId: string;
  encryption: { keyVault: { id: string; key: { name: string; version?: string } } };
}
type NamedList = { value: Array<{ name: string }> };

/** Polls a BAP operation-location until its state leaves Running (the way Microsoft's scripts do). */
async function pollOperation(url: string): Promise<unknown> {
  for (;;) {
    const { json } = await rawCall(url, { principalId: OPERATOR });
    if ((json as { state: { id: string } }).state.id !== "Running") return json;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("ARM emulator: enterprise policies and environments", () => {
  let bed: ArmTestBed;
  let policyId: (name: string) => string;

  beforeAll(async () => {
    bed = await startArmTestBed();
    policyId = (name) =>
      `/subscriptions/${bed.arm.subscriptionId}/resourceGroups/rg-pp/providers/Microsoft.PowerPlatform/enterprisePolicies/${name}`;
  });
  afterAll(async () => bed.stop());

  const encryptionPolicy = (keyName: string, version?: string) => ({
    location: "europe",
    kind: "Encryption",
    identity: { type: "SystemAssigned" as const },
    properties: {
      encryption: {
        state: "Enabled",
        keyVault: { id: bed.vaultArmId, key: { name: keyName, ...(version ? { version } : {}) } },
      },
    },
  });

  it("creates a policy asynchronously (Azure-AsyncOperation), updates and gets it, in the spec's shape", async () => {
    const key = await bed.keys.createRsaKey("cmk-policy", { keySize: 2048 });
    const id = policyId("ep-create");
    const created = await bed.resources.resources.beginCreateOrUpdateByIdAndWait(
      id,
      API,
      encryptionPolicy("cmk-policy", key.properties.version),
      poll,
    );
    expect(created.id).toBe(id);
    expect(created.kind).toBe("Encryption");
    const rotated = await bed.keys.rotateKey("cmk-policy");
    const updated = await bed.resources.resources.beginUpdateByIdAndWait(
      id,
      API,
      {
        properties: {
          encryption: { keyVault: { key: { name: "cmk-policy", version: rotated.properties.version } } },
        },
      },
      poll,
    );
    expect((updated.properties as unknown as PolicyProperties).encryption.keyVault.key.version).toBe(
      rotated.properties.version,
    );
    const fetched = await bed.resources.resources.getById(id, "2020-10-30");
    const properties = fetched.properties as unknown as PolicyProperties;
    expect(properties.healthStatus).toBe("Healthy");
    expect(properties.systemId).toMatch(
      /^\/regions\/europe\/providers\/Microsoft\.PowerPlatform\/enterprisePolicies\/[0-9a-f-]{36}$/,
    );
    expect(properties.encryption.keyVault).toEqual({
      id: bed.vaultArmId,
      key: { name: "cmk-policy", version: rotated.properties.version },
    });
    for (const file of [
      "createOrUpdateEnterprisePolicy.json",
      "getEnterprisePolicy.json",
      "updateEnterprisePolicy.json",
    ]) {
      const example = JSON.parse(readFileSync(join(FIXTURES, file), "utf8")).responses["200"].body;
      const raw = await rawCall(`${bed.arm.url}${id}?api-version=${API}`, { principalId: OPERATOR });
      // Lockbox/network examples: compare the common envelope, not the kind-specific properties.
      const missing = missingPaths({ ...example, properties: undefined }, raw.json).filter(
        (p) => !p.startsWith("tags.") && p !== "properties",
      );
      expect(missing, file).toEqual([]);
    }
  });

  it("lists by subscription and resource group, through both the provider and the generic resources API", async () => {
    await bed.arm.seedEnterprisePolicy({
      name: "ep-listed",
      resourceGroup: "rg-pp",
      keyVaultId: bed.vaultArmId,
      keyName: "cmk-policy",
    });
    const sub = await rawCall(
      `${bed.arm.url}/subscriptions/${bed.arm.subscriptionId}/providers/Microsoft.PowerPlatform/enterprisePolicies?api-version=${API}`,
      { principalId: OPERATOR },
    );
    expect((sub.json as NamedList).value.map((p) => p.name)).toContain("ep-listed");
    const names = [];
    for await (const r of bed.resources.resources.listByResourceGroup("rg-pp", {
      filter: "resourceType eq 'Microsoft.PowerPlatform/enterprisePolicies'",
    })) {
      names.push(r.name);
    }
    expect(names).toContain("ep-listed");
  });

  it("answers 404, rejects bad bodies and unknown api-versions, and deletes", async () => {
    await expect(bed.resources.resources.getById(policyId("ep-missing"), API)).rejects.toMatchObject({
      statusCode: 404,
      code: "ResourceNotFound",
    });
    const url = `${bed.arm.url}${policyId("ep-bad")}`;
    const noKey = await rawCall(`${url}?api-version=${API}`, {
      method: "PUT",
      principalId: OPERATOR,
      body: {
        location: "europe",
        kind: "Encryption",
        identity: { type: "SystemAssigned" },
        properties: { encryption: {} },
      },
    });
    expect(noKey).toMatchObject({ status: 400, json: { error: { code: "InvalidRequestContent" } } });
    const wrongVersion = await rawCall(`${url}?api-version=2021-01-01`, { principalId: OPERATOR });
    expect(wrongVersion).toMatchObject({
      status: 400,
      json: { error: { code: "InvalidApiVersionParameter" } },
    });
    await bed.arm.seedEnterprisePolicy({
      name: "ep-delete",
      resourceGroup: "rg-pp",
      keyVaultId: bed.vaultArmId,
      keyName: "cmk-policy",
    });
    expect(await bed.resources.resources.checkExistenceById(policyId("ep-delete"), API)).toEqual({
      body: true,
    });
    await bed.resources.resources.beginDeleteByIdAndWait(policyId("ep-delete"), API, poll);
    expect(await bed.resources.resources.checkExistenceById(policyId("ep-delete"), API)).toEqual({
      body: false,
    });
    await expect(bed.resources.resources.getById(policyId("ep-delete"), API)).rejects.toMatchObject({
      statusCode: 404,
    });
  });

  it("links an environment through the admin API (202 + operation-location) and refuses key changes while linked", async () => {
    const key = await bed.keys.createRsaKey("cmk-linked", { keySize: 2048 });
    const policy = await bed.arm.seedEnterprisePolicy({
      name: "ep-linked",
      resourceGroup: "rg-pp",
      keyVaultId: bed.vaultArmId,
      keyName: "cmk-linked",
      keyVersion: key.properties.version,
    });
    const environment = await bed.arm.seedEnvironment({ displayName: "Contoso prod" });
    const bap = `${bed.arm.url}/providers/Microsoft.BusinessAppPlatform`;
    const link = await rawCall(
      `${bap}/environments/${environment.id}/enterprisePolicies/Encryption/link?api-version=2019-10-01`,
      { method: "POST", principalId: OPERATOR, body: { SystemId: policy.systemId } },
    );
    expect(link.status).toBe(202);
    const operationUrl = link.headers["operation-location"] as string;
    expect(operationUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\//);
    expect(await pollOperation(operationUrl)).toMatchObject({ state: { id: "Succeeded" } });
    const fetched = await rawCall(
      `${bap}/scopes/admin/environments/${environment.id}?api-version=2020-10-01`,
      {
        principalId: OPERATOR,
      },
    );
    expect(fetched.json).toMatchObject({
      name: environment.id,
      properties: {
        states: { runtime: { id: "Enabled" } },
        enterprisePolicies: { CustomerManagedKeys: { id: policy.id, systemId: policy.systemId } },
      },
    });
    const listed = await rawCall(`${bap}/scopes/admin/environments?api-version=2020-10-01`, {
      principalId: OPERATOR,
    });
    expect((listed.json as NamedList).value.map((e) => e.name)).toContain(environment.id);

    const rotated = await bed.keys.rotateKey("cmk-linked");
    await expect(
      bed.resources.resources.beginUpdateByIdAndWait(
        policy.id,
        API,
        {
          properties: {
            encryption: { keyVault: { key: { name: "cmk-linked", version: rotated.properties.version } } },
          },
        },
        poll,
      ),
    ).rejects.toMatchObject({ statusCode: 409, code: "EnterprisePolicyLinkedToEnvironments" });

    const unlink = await rawCall(
      `${bap}/environments/${environment.id}/enterprisePolicies/Encryption/unlink?api-version=2019-10-01`,
      { method: "POST", principalId: OPERATOR, body: { SystemId: policy.systemId } },
    );
    expect(unlink.status).toBe(202);
    expect(await pollOperation(unlink.headers["operation-location"] as string)).toMatchObject({
      state: { id: "Succeeded" },
    });
    const afterUnlink = await bed.arm.environments();
    expect(afterUnlink.find((e) => e.id === environment.id)?.policy).toBeUndefined();
  });
  it("answers a raw PUT with 201 and an absolute Azure-AsyncOperation URL", async () => {
    const id = policyId("ep-raw");
    const put = await rawCall(`${bed.arm.url}${id}?api-version=2020-10-30`, {
      method: "PUT",
      principalId: OPERATOR,
      body: encryptionPolicy("cmk-policy"),
    });
    expect(put.status).toBe(201);
    const statusUrl = put.headers["azure-asyncoperation"] as string;
    expect(
      statusUrl.startsWith(
        `${bed.arm.url}/subscriptions/${bed.arm.subscriptionId}/providers/Microsoft.PowerPlatform/locations/europe/operations/`,
      ),
    ).toBe(true);
    expect((await rawCall(statusUrl, { principalId: OPERATOR })).json).toMatchObject({ status: "Succeeded" });
  });

  it("seeds and reads everything through the /_emulator control API", async () => {
    const control = `${bed.arm.url}/_emulator`;
    const account = await rawCall(`${control}/storageAccounts`, {
      method: "POST",
      body: { name: "stcontrol1", customerManagedKey: { vaultName: "kv-arm-test", keyName: "cmk-policy" } },
    });
    expect(account).toMatchObject({ status: 201, json: { name: "stcontrol1" } });
    expect((await rawCall(`${control}/storageAccounts/stcontrol1/dataAccess`)).status).toBe(200);
    expect((await rawCall(`${control}/storageAccounts/stnothere/dataAccess`)).status).toBe(404);
    const policy = await rawCall(`${control}/enterprisePolicies`, {
      method: "POST",
      body: { name: "ep-control", keyVaultName: "kv-arm-test", keyName: "cmk-policy" },
    });
    expect(policy.status).toBe(201);
    const environment = await rawCall(`${control}/environments`, {
      method: "POST",
      body: { displayName: "from control", policyId: (policy.json as { id: string }).id },
    });
    expect(environment).toMatchObject({ status: 201, json: { state: "Enabled" } });
    const listed = await rawCall(`${control}/environments`);
    expect(
      (listed.json as { value: Array<{ displayName: string; policy?: { healthStatus: string } }> }).value,
    ).toContainEqual(
      expect.objectContaining({
        displayName: "from control",
        policy: expect.objectContaining({ healthStatus: "Healthy" }),
      }),
    );
    expect((await rawCall(`${control}/storageAccounts`, { method: "POST", body: { nope: 1 } })).status).toBe(
      400,
    );
  });
});
