// Unit tests of the consumer registry, resource id shapes and accepted keys per kind.
import { describe, expect, it } from "vitest";
import {
  CONSUMER_KINDS,
  consumerSpec,
  isConsumerKind,
  parseArmResourceId,
  vaultNameOfArmId,
} from "../../../../src/lib/consumers";

const sub = "00000000-0000-4000-8000-000000000001";

describe("consumer kinds", () => {
  it("knows exactly the two consumer kinds", () => {
    expect(CONSUMER_KINDS).toEqual(["storageAccount", "powerPlatformPolicy"]);
    expect(isConsumerKind("storageAccount")).toBe(true);
    expect(isConsumerKind("toString")).toBe(false);
    expect(isConsumerKind(undefined)).toBe(false);
  });

  it.each([
    ["storageAccount", "RSA", 2048, true],
    ["storageAccount", "RSA-HSM", 4096, true],
    ["storageAccount", "RSA", 1024, false],
    ["storageAccount", "EC", undefined, false],
    ["powerPlatformPolicy", "RSA", 3072, true],
    ["powerPlatformPolicy", "RSA", 4096, false],
    ["powerPlatformPolicy", "oct-HSM", undefined, false],
  ] as const)("%s accepts %s %s: %s", (kind, keyType, keySize, accepted) => {
    expect(consumerSpec(kind).keyProblem(keyType, keySize) === undefined).toBe(accepted);
  });

  it("sets the retirement floors", () => {
    expect(consumerSpec("powerPlatformPolicy").minimumRetireAfter).toBe("P28D");
    expect(consumerSpec("storageAccount").minimumRetireAfter).toBe("P2D");
  });
});

describe("ARM resource ids", () => {
  it("parses a top-level resource id", () => {
    expect(
      parseArmResourceId(
        `/subscriptions/${sub}/resourceGroups/rg-1.(a)/providers/Microsoft.Storage/storageAccounts/st1`,
      ),
    ).toEqual({
      subscriptionId: sub,
      resourceGroup: "rg-1.(a)",
      providerNamespace: "Microsoft.Storage",
      resourceType: "storageAccounts",
      name: "st1",
    });
  });

  it.each([
    "subscriptions/x",
    `/subscriptions/not-a-guid/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st1`,
    `/subscriptions/${sub}/resourceGroups/rg./providers/Microsoft.Storage/storageAccounts/st1`,
    `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st1/blobServices/default`,
    `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/`,
  ])("refuses %s", (id) => {
    expect(parseArmResourceId(id)).toBeUndefined();
  });

  it("reads a vault name from a vault ARM id only", () => {
    expect(
      vaultNameOfArmId(`/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1`),
    ).toBe("kv1");
    expect(
      vaultNameOfArmId(
        `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/kv1`,
      ),
    ).toBeUndefined();
  });
});
