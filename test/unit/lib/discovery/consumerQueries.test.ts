// The query text stays inside Resource Graph's documented KQL, and each row is checked exactly.
import { describe, expect, it } from "vitest";
import {
  enterprisePoliciesOfVaultsQuery,
  enterprisePolicyQuery,
  keyNameOfRow,
  storageAccountQuery,
  storageAccountsOfVaultsQuery,
} from "../../../../src/lib/discovery";
import { referenceOfRow } from "../../../../src/lib/discovery/consumerQueries";

const filter = { vaultName: "KV1", vaultUrl: "https://kv1.vault.azure.net", keyName: "cmk" };

describe("consumer queries", () => {
  it("finds storage accounts by vault URI and key name, ordered by id", () => {
    const query = storageAccountQuery(filter);
    expect(query).toMatch(/^resources\n\| where type =~ 'microsoft.storage\/storageaccounts'/);
    expect(query).toContain("contains 'https://kv1.vault.azure.net'");
    expect(query).toContain("keyvaultproperties.keyname) =~ 'cmk'");
    expect(query.endsWith("| order by id asc")).toBe(true);
    expect(storageAccountQuery({ ...filter, keyName: undefined })).not.toContain("keyname");
  });

  it("finds enterprise policies by vault id and key name", () => {
    const query = enterprisePolicyQuery(filter);
    expect(query).toContain("'microsoft.powerplatform/enterprisepolicies'");
    expect(query).toContain("contains '/providers/microsoft.keyvault/vaults/kv1'");
    expect(query).toContain("keyVault.key.name) =~ 'cmk'");
  });

  it("finds every key's consumers of several vaults in one query per kind (a sweep's snapshot)", () => {
    const vaults = [
      { vaultName: "KV1", vaultUrl: "https://kv1.vault.azure.net" },
      { vaultName: "kv2", vaultUrl: "https://KV2.vault.azure.net" },
    ];
    const storage = storageAccountsOfVaultsQuery(vaults);
    expect(storage).toContain(
      "| where tolower(tostring(properties.encryption.keyvaultproperties.keyvaulturi)) contains 'https://kv1.vault.azure.net' or tolower(tostring(properties.encryption.keyvaultproperties.keyvaulturi)) contains 'https://kv2.vault.azure.net'",
    );
    expect(storage).not.toContain("keyname");
    expect(storage.endsWith("| order by id asc")).toBe(true);
    const policies = enterprisePoliciesOfVaultsQuery(vaults);
    expect(policies).toContain(
      "contains '/providers/microsoft.keyvault/vaults/kv1' or tolower(tostring(properties.encryption.keyVault.id)) contains '/providers/microsoft.keyvault/vaults/kv2'",
    );
  });

  it("escapes quotes in literals", () => {
    expect(storageAccountQuery({ ...filter, keyName: "a'b" })).toContain("=~ 'a\\'b'");
  });

  it("keeps only rows that point at exactly that vault and key", () => {
    const storage = (uri: string, keyname: string) => ({
      properties: { encryption: { keyvaultproperties: { keyvaulturi: uri, keyname } } },
    });
    expect(keyNameOfRow("storageAccount", storage("https://KV1.vault.azure.net/", "CMK"), filter)).toBe(
      "CMK",
    );
    expect(
      keyNameOfRow("storageAccount", storage("https://kv10.vault.azure.net/", "cmk"), filter),
    ).toBeUndefined();
    expect(
      keyNameOfRow("storageAccount", storage("https://kv1.vault.azure.net", "cmk2"), filter),
    ).toBeUndefined();
    const policy = (vaultId: string) => ({
      properties: { encryption: { keyVault: { id: vaultId, key: { name: "cmk" } } } },
    });
    const vaultId = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1";
    expect(keyNameOfRow("powerPlatformPolicy", policy(vaultId), filter)).toBe("cmk");
    expect(keyNameOfRow("powerPlatformPolicy", policy(`${vaultId}x`), filter)).toBeUndefined();
    expect(keyNameOfRow("powerPlatformPolicy", null, filter)).toBeUndefined();
  });

  it("reads a row's configuration as an ARM GET would", () => {
    const storage = {
      properties: {
        encryption: {
          keyvaultproperties: {
            keyvaulturi: "https://kv1.vault.azure.net/",
            keyname: "cmk",
            keyversion: "",
            currentVersionedKeyIdentifier: "https://kv1.vault.azure.net/keys/cmk/v7",
          },
        },
      },
    };
    expect(referenceOfRow("storageAccount", storage, "cmk")).toEqual({
      keyName: "cmk",
      vaultUrl: "https://kv1.vault.azure.net/",
      versionInUse: "v7",
    });
    const policy = {
      properties: {
        encryption: {
          keyVault: {
            id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1",
            key: { name: "cmk", version: "v3" },
          },
        },
      },
    };
    expect(referenceOfRow("powerPlatformPolicy", policy, "cmk")).toEqual({
      keyName: "cmk",
      vaultName: "kv1",
      configuredVersion: "v3",
    });
  });
});
