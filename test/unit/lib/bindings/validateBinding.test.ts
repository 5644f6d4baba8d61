// Unit tests of binding validation: shapes, kinds, durations, retirement floors, key compatibility.
import { describe, expect, it } from "vitest";
import { assertKeyCompatible, keyCompatibilityProblems, validateBinding } from "../../../../src/lib/bindings";
import { isDomainError } from "../../../../src/lib/errors";

const key = { vaultName: "kv1", keyName: "cmk" };
const sub = "00000000-0000-4000-8000-000000000001";
const storageId = `/subscriptions/${sub}/resourceGroups/rg1/providers/Microsoft.Storage/storageAccounts/stcmk1`;
const policyId = `/subscriptions/${sub}/resourceGroups/rg1/providers/Microsoft.PowerPlatform/enterprisePolicies/ep-cmk`;
const storage = { kind: "storageAccount", resourceId: storageId, mode: "pinned" };
const policy = { kind: "powerPlatformPolicy", resourceId: policyId, mode: "versionless" };

function refusal(body: unknown): { code: string; message: string } {
  try {
    validateBinding(key, body);
  } catch (error) {
    if (isDomainError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error("accepted");
}

describe("validateBinding", () => {
  it("accepts targets of both kinds with a policy", () => {
    const binding = validateBinding(key, {
      targets: [storage, policy],
      policy: { rotateEvery: "p90d", expiresAfter: "P6M", retireAfter: "P30D" },
    });
    expect(binding).toEqual({
      key,
      targets: [storage, policy],
      policy: { rotateEvery: "P90D", expiresAfter: "P6M", retireAfter: "P30D" },
      updatedAtMs: 0,
    });
  });

  it("accepts a missing or null policy", () => {
    expect(validateBinding(key, { targets: [storage] }).policy).toEqual({});
    expect(validateBinding(key, { targets: [storage], policy: null }).policy).toEqual({});
  });

  it.each([
    ["a non-object body", [], "InvalidBinding", /must be a JSON object/],
    ["an unknown field", { targets: [storage], extra: 1 }, "InvalidBinding", /unknown field\(s\) extra/],
    ["no targets", { targets: [] }, "InvalidBinding", /non-empty array/],
    ["targets of the wrong type", { targets: "x" }, "InvalidBinding", /non-empty array/],
    [
      "an unknown kind",
      { targets: [{ ...storage, kind: "sqlServer" }] },
      "InvalidBinding",
      /not a known kind; use one of storageAccount, powerPlatformPolicy/,
    ],
    [
      "a bad mode",
      { targets: [{ ...storage, mode: "auto" }] },
      "InvalidBinding",
      /mode must be "pinned" or "versionless"/,
    ],
    [
      "a resource id of another type",
      { targets: [{ ...storage, resourceId: policyId }] },
      "InvalidBinding",
      /not a Microsoft.Storage\/storageAccounts/,
    ],
    [
      "a malformed resource id",
      { targets: [{ ...storage, resourceId: "/subscriptions/x/stcmk1" }] },
      "InvalidBinding",
      /not an ARM resource id/,
    ],
    [
      "a bad storage name",
      { targets: [{ ...storage, resourceId: storageId.replace("stcmk1", "St_Cmk") }] },
      "InvalidBinding",
      /3-24 lower-case/,
    ],
    [
      "a numeric resource id",
      { targets: [{ ...storage, resourceId: 7 }] },
      "InvalidBinding",
      /resourceId must be a string/,
    ],
    [
      "a duplicate target",
      { targets: [storage, { ...storage, resourceId: storageId.toUpperCase().replace("STCMK1", "stcmk1") }] },
      "InvalidBinding",
      /twice/,
    ],
    [
      "an unknown policy field",
      { targets: [storage], policy: { rotateevery: "P90D" } },
      "InvalidBinding",
      /unknown field\(s\) rotateevery/,
    ],
    [
      "a duration that does not parse",
      { targets: [storage], policy: { rotateEvery: "90 days" } },
      "InvalidDuration",
      /rotateEvery "90 days"/,
    ],
    [
      "a duration of the wrong type",
      { targets: [storage], policy: { expiresAfter: 90 } },
      "InvalidDuration",
      /expiresAfter 90/,
    ],
    [
      "minutes where months were meant",
      { targets: [storage], policy: { rotateEvery: "PT3M" } },
      "InvalidBinding",
      /PT3M is 3 minutes/,
    ],
    [
      "an expiry inside the near-expiry window",
      { targets: [storage], policy: { expiresAfter: "P30D" } },
      "InvalidBinding",
      /near-expiry window/,
    ],
    [
      "retireAfter under P28D with Power Platform",
      { targets: [policy], policy: { retireAfter: "P27D" } },
      "InvalidBinding",
      /shorter than P28D.*powerPlatformPolicy/,
    ],
    [
      "retireAfter under a day of storage polling",
      { targets: [storage], policy: { retireAfter: "PT12H" } },
      "InvalidBinding",
      /shorter than P2D.*storageAccount/,
    ],
  ])("refuses %s", (_, body, code, message) => {
    const { code: actualCode, message: actualMessage } = refusal(body);
    expect(actualCode).toBe(code);
    expect(actualMessage).toMatch(message);
  });

  it("allows retireAfter P28D or P1M with Power Platform", () => {
    expect(
      validateBinding(key, { targets: [policy], policy: { retireAfter: "P28D" } }).policy.retireAfter,
    ).toBe("P28D");
    expect(
      validateBinding(key, { targets: [policy], policy: { retireAfter: "P1M" } }).policy.retireAfter,
    ).toBe("P1M");
  });
});

describe("key compatibility", () => {
  const binding = validateBinding(key, { targets: [storage, policy] });

  it.each([
    ["RSA", 2048, 0],
    ["RSA-HSM", 3072, 0],
    ["RSA", 4096, 1],
    ["EC", undefined, 2],
  ] as const)("%s %s has %s problem(s)", (keyType, keySize, count) => {
    expect(keyCompatibilityProblems(binding, { keyType, keySize })).toHaveLength(count);
  });

  it("names the consumer that refuses the key", () => {
    expect(() => assertKeyCompatible(binding, { keyType: "RSA", keySize: 4096 })).toThrow(
      /Power Platform accepts RSA keys of 2048 or 3072 bits only, not RSA 4096/,
    );
    expect(() =>
      assertKeyCompatible(validateBinding(key, { targets: [storage] }), { keyType: "RSA", keySize: 4096 }),
    ).not.toThrow();
  });
});
