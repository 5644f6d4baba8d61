// Pure unit tests of the ARM emulator's request parsing, vault mapping and token buckets (no I/O).
import { describe, expect, it } from "vitest";
import { ArmError, matchSegments, parseTarget } from "../../../sandbox/arm/http/armHttp";
import { VaultDirectory } from "../../../sandbox/arm/keyAccess/VaultDirectory";
import { Throttling } from "../../../sandbox/arm/limits/Throttling";
import { parsePolicyPatch, parsePolicyPut } from "../../../sandbox/arm/powerPlatform/policyWire";
import { parseStorageAccountBody } from "../../../sandbox/arm/storage/storageWire";

describe("ARM emulator wire parsing", () => {
  it("treats the *ById double slash like a single one and decodes api%2Dversion", () => {
    const parsed = parseTarget(
      "//subscriptions/s1/resourceGroups/rg/providers/A.B/c/n?api%2Dversion=2020-10-30",
    );
    expect(parsed.segments).toEqual([
      "subscriptions",
      "s1",
      "resourceGroups",
      "rg",
      "providers",
      "A.B",
      "c",
      "n",
    ]);
    expect(parsed.query.get("api-version")).toBe("2020-10-30");
    expect(
      matchSegments("subscriptions/:sub/resourcegroups/:rg", ["Subscriptions", "s1", "resourceGroups", "rg"]),
    ).toEqual({
      sub: "s1",
      rg: "rg",
    });
  });

  it("reads Storage's encryption case-insensitively, defaults keyversion to automatic, and names bad fields", () => {
    const changes = parseStorageAccountBody({
      properties: {
        encryption: {
          keySource: "microsoft.keyvault",
          keyVaultProperties: { keyVaultUri: "https://kv.vault.azure.net", keyName: "k" },
          identity: { userAssignedIdentity: "/id" },
        },
      },
    });
    expect(changes.encryption).toEqual({
      keySource: "Microsoft.Keyvault",
      keyVaultUri: "https://kv.vault.azure.net",
      keyName: "k",
      keyVersion: "",
      userAssignedIdentity: "/id",
    });
    const bad = (body: unknown) => () => parseStorageAccountBody(body);
    expect(bad([])).toThrow(ArmError);
    expect(bad({ properties: { encryption: { keySource: "Microsoft.Keyvault" } } })).toThrow(
      /keyvaultproperties/,
    );
    expect(bad({ properties: { encryption: { keySource: "Other" } } })).toThrow(/keySource/);
    expect(bad({ tags: { a: 1 } })).toThrow(/tag/);
  });

  it("parses enterprise policy PUT and PATCH bodies; an empty or null version means versionless", () => {
    const put = parsePolicyPut({
      location: "europe",
      kind: "Encryption",
      identity: { type: "SystemAssigned" },
      properties: { encryption: { keyVault: { id: "/vaults/kv", key: { name: "k", version: "" } } } },
    });
    expect(put.encryption).toEqual({
      state: "Enabled",
      keyVaultId: "/vaults/kv",
      keyName: "k",
      keyVersion: undefined,
    });
    expect(
      parsePolicyPatch({ properties: { encryption: { keyVault: { key: { version: null } } } } }).encryption,
    ).toMatchObject({
      keyVersion: null,
    });
    expect(() =>
      parsePolicyPut({ location: "europe", kind: "Encryption", properties: { encryption: {} } }),
    ).toThrow(/SystemAssigned/);
  });

  it("maps vault URIs and vault ARM ids to emulator URLs", () => {
    const vaults = new VaultDirectory({ "kv-demo": "https://127.0.0.1:4443/" });
    expect(vaults.urlForVaultUri("https://127.0.0.1:4443")).toBe("https://127.0.0.1:4443");
    expect(vaults.urlForVaultUri("https://KV-DEMO.vault.azure.net/")).toBe("https://127.0.0.1:4443");
    expect(vaults.urlForVaultUri("not a url")).toBeUndefined();
    expect(
      vaults.urlForVaultArmId(
        "/subscriptions/s/resourceGroups/r/providers/Microsoft.KeyVault/vaults/kv-demo",
      ),
    ).toBe("https://127.0.0.1:4443");
  });

  it("throttles once a bucket is empty, with Retry-After, and not at all when switched off", () => {
    const throttling = new Throttling(true, { storageWrites: { capacity: 2, refillPerSecond: 1 } });
    expect(throttling.charge("write", "s", "p", true)).toHaveProperty(
      "x-ms-ratelimit-remaining-subscription-writes",
      "199",
    );
    throttling.charge("write", "s", "p", true);
    let thrown: unknown;
    try {
      throttling.charge("write", "s", "p", true);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ status: 429, code: "TooManyRequests", headers: { "retry-after": "1" } });
    throttling.enabled = false;
    expect(throttling.charge("write", "s", "p", true)).toEqual({});
  });
});
