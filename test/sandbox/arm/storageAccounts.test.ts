// Conformance of the ARM emulator's storage accounts through the official StorageManagementClient.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR, VAULT, missingPaths, rawCall, startArmTestBed, type ArmTestBed } from "./armTestBed";

const FIXTURES = join(__dirname, "..", "..", "fixtures", "arm");
const RG = "rg-storage";

describe("ARM emulator: storage accounts", () => {
  let bed: ArmTestBed;
  let identityId: string;

  beforeAll(async () => {
    bed = await startArmTestBed();
    identityId = `/subscriptions/${bed.arm.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uami-cmk`;
  });
  afterAll(async () => bed.stop());

  it("creates, gets and lists accounts; a missing one is 404 ResourceNotFound", async () => {
    const created = await bed.storage.storageAccounts.create(RG, "stcreate1", {
      location: "westeurope",
      kind: "StorageV2",
      sku: { name: "Standard_LRS" },
      identity: { type: "UserAssigned", userAssignedIdentities: { [identityId]: {} } },
    });
    expect(created.name).toBe("stcreate1");
    expect(created.provisioningState).toBe("Succeeded");
    const fetched = await bed.storage.storageAccounts.getProperties(RG, "stcreate1");
    expect(fetched.identity?.userAssignedIdentities?.[identityId]?.principalId).toMatch(/^[0-9a-f-]{36}$/);
    const inGroup = [];
    for await (const account of bed.storage.storageAccounts.listByResourceGroup(RG))
      inGroup.push(account.name);
    expect(inGroup).toContain("stcreate1");
    const all = [];
    for await (const account of bed.storage.storageAccounts.list()) all.push(account.name);
    expect(all).toContain("stcreate1");
    await expect(bed.storage.storageAccounts.getProperties(RG, "stmissing")).rejects.toMatchObject({
      statusCode: 404,
      code: "ResourceNotFound",
    });
  });

  it("round-trips a pinned customer-managed key and keeps the read-only key fields truthfully", async () => {
    const key = await bed.keys.createRsaKey("cmk-pinned", {
      keySize: 2048,
      expiresOn: new Date("2030-01-01Z"),
    });
    await bed.arm.seedStorageAccount({
      name: "stpinned1",
      resourceGroup: RG,
      userAssignedIdentity: { id: identityId },
    });
    const updated = await bed.storage.storageAccounts.update(RG, "stpinned1", {
      encryption: {
        keySource: "Microsoft.Keyvault",
        keyVaultProperties: {
          keyVaultUri: bed.vaultUrl,
          keyName: "cmk-pinned",
          keyVersion: key.properties.version,
        },
        encryptionIdentity: { encryptionUserAssignedIdentity: identityId },
      },
    });
    const kvp = updated.encryption?.keyVaultProperties;
    expect(kvp?.keyName).toBe("cmk-pinned");
    expect(kvp?.keyVersion).toBe(key.properties.version);
    expect(kvp?.currentVersionedKeyIdentifier).toBe(
      `${bed.vaultUrl}/keys/cmk-pinned/${key.properties.version}`,
    );
    expect(kvp?.lastKeyRotationTimestamp).toBeInstanceOf(Date);
    expect(kvp?.currentVersionedKeyExpirationTimestamp?.toISOString()).toBe("2030-01-01T00:00:00.000Z");
    expect(updated.encryption?.encryptionIdentity?.encryptionUserAssignedIdentity).toBe(identityId);
    const fetched = await bed.storage.storageAccounts.getProperties(RG, "stpinned1");
    expect(fetched.encryption?.keyVaultProperties?.keyVersion).toBe(key.properties.version);
    expect((await bed.arm.dataAccess("stpinned1")).status).toBe(200);
  });

  it("matches the StorageAccountEnableCMK example's wire shape (lowercase keyvaultproperties)", async () => {
    await bed.keys.createRsaKey("cmk-shape", { keySize: 2048 });
    await bed.arm.seedStorageAccount({
      name: "stshape1",
      resourceGroup: RG,
      customerManagedKey: { vaultName: VAULT, keyName: "cmk-shape" },
    });
    const example = JSON.parse(readFileSync(join(FIXTURES, "StorageAccountEnableCMK.json"), "utf8"));
    const url = `${bed.arm.url}/subscriptions/${bed.arm.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Storage/storageAccounts/stshape1?api-version=2023-05-01`;
    const response = await rawCall(url, { principalId: OPERATOR });
    expect(response.status).toBe(200);
    const ignored = ["secondaryLocation", "statusOfSecondary", "identity.principalId", "identity.tenantId"];
    const missing = missingPaths(example.responses["200"].body, response.json).filter(
      // Tag values are the example's own data; the secondary region and system identity are not emulated.
      (p) => !p.startsWith("tags.") && !ignored.some((i) => p === i || p.endsWith(`.${i}`)),
    );
    expect(missing).toEqual([]);
    const kvp = (
      response.json as { properties: { encryption: { keyvaultproperties: Record<string, string> } } }
    ).properties.encryption.keyvaultproperties;
    expect(kvp.keyversion).toBe("");
    expect(kvp.currentVersionedKeyIdentifier).toMatch(new RegExp(`/keys/cmk-shape/[0-9a-f]+$`));
  });

  it("fails a PATCH to a key version the account cannot use and changes nothing", async () => {
    const key = await bed.keys.createRsaKey("cmk-fail", { keySize: 2048 });
    await bed.arm.seedStorageAccount({
      name: "stfail1",
      resourceGroup: RG,
      customerManagedKey: { vaultName: VAULT, keyName: "cmk-fail", keyVersion: key.properties.version },
    });
    const patch = (keyVersion: string) =>
      bed.storage.storageAccounts.update(RG, "stfail1", {
        encryption: {
          keySource: "Microsoft.Keyvault",
          keyVaultProperties: { keyVaultUri: bed.vaultUrl, keyName: "cmk-fail", keyVersion },
        },
      });
    await expect(patch("0000000000000000000000000000dead")).rejects.toMatchObject({
      statusCode: 400,
      code: "KeyVaultKeyNotFound",
    });
    const rotated = await bed.keys.rotateKey("cmk-fail");
    await bed.keys.updateKeyProperties("cmk-fail", rotated.properties.version!, { enabled: false });
    await expect(patch(rotated.properties.version!)).rejects.toMatchObject({
      statusCode: 400,
      code: "KeyVaultAuthenticationFailure",
    });
    const after = await bed.storage.storageAccounts.getProperties(RG, "stfail1");
    expect(after.encryption?.keyVaultProperties?.keyVersion).toBe(key.properties.version);
  });

  it("answers ARM's errors for no token, bad JSON, a bad api-version and a foreign subscription", async () => {
    const base = `${bed.arm.url}/subscriptions/${bed.arm.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Storage/storageAccounts`;
    const anonymous = await rawCall(`${base}?api-version=2023-05-01`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.json).toMatchObject({ error: { code: "AuthenticationFailed" } });
    const noVersion = await rawCall(base, { principalId: OPERATOR });
    expect(noVersion).toMatchObject({ status: 400, json: { error: { code: "MissingApiVersionParameter" } } });
    const oldVersion = await rawCall(`${base}?api-version=2019-06-01`, { principalId: OPERATOR });
    expect(oldVersion.status).toBe(400);
    const badJson = await rawCall(`${base}/stcreate1?api-version=2023-05-01`, {
      method: "PATCH",
      principalId: OPERATOR,
      headers: { "content-type": "application/json" },
      body: undefined,
    });
    expect(badJson.status).toBe(400);
    const wrongType = await rawCall(`${base}/stcreate1?api-version=2023-05-01`, {
      method: "PATCH",
      principalId: OPERATOR,
      body: { properties: { encryption: { keySource: 42 } } },
    });
    expect(wrongType).toMatchObject({ status: 400, json: { error: { code: "InvalidRequestContent" } } });
    const foreign = await rawCall(
      `${bed.arm.url}/subscriptions/11111111-1111-1111-1111-111111111111/providers/Microsoft.Storage/storageAccounts?api-version=2023-05-01`,
      { principalId: OPERATOR },
    );
    expect(foreign).toMatchObject({ status: 404, json: { error: { code: "SubscriptionNotFound" } } });
  });
});
