// Pure logic of the Key Vault emulator: rotation policy rules, throttling windows, RSA key material.
import { constants, privateDecrypt, publicEncrypt, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { KeyMaterialPool } from "../../../sandbox/keyvault/keyMaterial";
import { fromBase64Url, pooledRsaKeys } from "../../../sandbox/keyvault/rsaKeyPool/rsaKeyPool";
import { rsaKeyFromPrimes } from "../../../sandbox/keyvault/rsaPrimes";
import {
  nearExpiryDueMs,
  parseRotationPolicy,
  policyExpiry,
  rotateDueMs,
} from "../../../sandbox/keyvault/rotationPolicy";
import { Throttle } from "../../../sandbox/keyvault/Throttle";
import { operationKind, type KeysRequest } from "../../../sandbox/keyvault/keysApi";
import type { KeyVersionRecord, RotationPolicyRecord } from "../../../sandbox/keyvault/KeyStore";

const DAY_MS = 86_400_000;
const JAN_31 = Date.UTC(2027, 0, 31);

describe("rotation policy rules", () => {
  const now = JAN_31;
  const rotate = (trigger: Record<string, string>) => ({ trigger, action: { type: "Rotate" } });

  it("accepts Key Vault's example and normalises action casing", () => {
    const policy = parseRotationPolicy(
      {
        lifetimeActions: [
          rotate({ timeAfterCreate: "P90D" }),
          { trigger: { timeBeforeExpiry: "P30D" }, action: { type: "notify" } },
        ],
        attributes: { expiryTime: "P2Y" },
      },
      now,
    );
    expect(policy.lifetimeActions[1].action.type).toBe("Notify");
    expect(policy.expiryTime).toBe("P2Y");
  });

  it.each([
    ["expiry below 28 days", { attributes: { expiryTime: "P27D" } }],
    ["expiry of three minutes", { attributes: { expiryTime: "PT3M" } }],
    ["trigger below 7 days", { lifetimeActions: [rotate({ timeAfterCreate: "P6D" })] }],
    [
      "trigger too close to expiry",
      { lifetimeActions: [rotate({ timeAfterCreate: "P25D" })], attributes: { expiryTime: "P28D" } },
    ],
    ["both triggers", { lifetimeActions: [rotate({ timeAfterCreate: "P30D", timeBeforeExpiry: "P30D" })] }],
    [
      "two Rotate actions",
      { lifetimeActions: [rotate({ timeAfterCreate: "P30D" }), rotate({ timeAfterCreate: "P60D" })] },
    ],
    [
      "Notify after create",
      { lifetimeActions: [{ trigger: { timeAfterCreate: "P30D" }, action: { type: "Notify" } }] },
    ],
    [
      "unknown action",
      { lifetimeActions: [{ trigger: { timeAfterCreate: "P30D" }, action: { type: "Delete" } }] },
    ],
    ["not an object", "P90D"],
  ])("rejects %s with 400 BadParameter", (_, body) => {
    expect(() => parseRotationPolicy(body, now)).toThrow(
      expect.objectContaining({ status: 400, code: "BadParameter" }) as Error,
    );
  });

  it("computes rotate, near-expiry and expiry instants for a version", () => {
    const version = { created: JAN_31 / 1000, exp: (JAN_31 + 100 * DAY_MS) / 1000 } as KeyVersionRecord;
    const policy: RotationPolicyRecord = {
      lifetimeActions: [
        { trigger: { timeBeforeExpiry: "P10D" }, action: { type: "Rotate" } },
        { trigger: { timeBeforeExpiry: "P20D" }, action: { type: "Notify" } },
      ],
      expiryTime: "P3M",
      created: 0,
      updated: 0,
    };
    expect(rotateDueMs(policy, version)).toBe(JAN_31 + 90 * DAY_MS);
    expect(nearExpiryDueMs(policy, version)).toBe(JAN_31 + 80 * DAY_MS);
    expect(nearExpiryDueMs(undefined, version)).toBe(JAN_31 + 70 * DAY_MS);
    // 31 January plus three calendar months clamps to 30 April, as .NET's AddMonths does.
    expect(policyExpiry(policy, JAN_31)).toBe(Date.UTC(2027, 3, 30) / 1000);
    expect(rotateDueMs(undefined, version)).toBeUndefined();
  });
});

describe("throttling window", () => {
  it("admits the limit per window, then answers 429 with Retry-After until the window slides", () => {
    const throttle = new Throttle({ windowMs: 10_000, createSoftware: 2, createHsm: 1, other: 5 }, true);
    throttle.admit("createSoftware", 0);
    throttle.admit("createSoftware", 4_000);
    expect(() => throttle.admit("createSoftware", 5_000)).toThrow(
      expect.objectContaining({ status: 429, code: "Throttled", headers: { "Retry-After": "5" } }) as Error,
    );
    throttle.admit("other", 5_000);
    throttle.admit("createSoftware", 10_001);
    throttle.isEnabled = false;
    for (let i = 0; i < 10; i++) throttle.admit("createHsm", 10_002);
  });
});

describe("throttling classes", () => {
  const request = (method: string, path: string, body?: unknown): KeysRequest => ({
    method,
    segments: path.split("/"),
    query: new URLSearchParams(),
    body,
    apiVersion: "7.5",
  });
  it.each([
    ["POST", "keys/k/create", { kty: "RSA" }, "createSoftware"],
    ["POST", "keys/k/create", { kty: "RSA-HSM" }, "createHsm"],
    ["POST", "keys/hsm-key/rotate", undefined, "createHsm"],
    ["POST", "keys/soft-key/rotate", undefined, "createSoftware"],
    ["POST", "keys/k/v1/unwrapkey", { alg: "RSA-OAEP" }, "other"],
    ["GET", "keys/k", undefined, "other"],
  ] as const)("%s /%s with %o counts as %s", (method, path, body, expected) => {
    const keyTypes: Record<string, "RSA" | "RSA-HSM"> = { "hsm-key": "RSA-HSM", "soft-key": "RSA" };
    expect(operationKind(request(method, path, body), (name) => keyTypes[name])).toBe(expected);
  });
});

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

describe("RSA key material", () => {
  const pool = pooledRsaKeys().map(({ p, q }) => ({ p: fromBase64Url(p), q: fromBase64Url(q) }));

  it("has a pool of independently generated 2048-bit keys: no modulus shares a factor with another", () => {
    expect(pool.length).toBeGreaterThanOrEqual(256);
    const moduli = pool.map(({ p, q }) => p * q);
    const primes = new Set(pool.flatMap(({ p, q }) => [p, q]));
    expect(primes.size).toBe(2 * pool.length);
    for (const [index, n] of moduli.entries()) {
      expect(n.toString(2)).toHaveLength(2048);
      // The product of every other modulus, reduced mod n, is coprime with n exactly when no factor is shared.
      let others = 1n;
      for (const [otherIndex, m] of moduli.entries()) if (otherIndex !== index) others = (others * m) % n;
      expect(gcd(others, n)).toBe(1n);
    }
  });

  it("builds a working key from a pooled pair whose OAEP round-trips, and refuses p = q", () => {
    const { p, q } = pool[0];
    const material = rsaKeyFromPrimes(p, q, 2048);
    expect(material).toBeDefined();
    expect(material!.privateKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    const secret = randomBytes(32);
    const options = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" };
    const wrapped = publicEncrypt({ key: material!.publicKey, ...options }, secret);
    expect(privateDecrypt({ key: material!.privateKey, ...options }, wrapped)).toEqual(secret);
    expect(rsaKeyFromPrimes(p, p, 2048)).toBeUndefined();
  });

  it("hands every version its own key, generating past the pool and for other sizes", async () => {
    const keys = new KeyMaterialPool({ 2048: 0, 3072: 0, 4096: 0 });
    try {
      const taken = [await keys.takeRsa(2048), await keys.takeRsa(2048), await keys.takeRsa(3072)];
      const moduli = taken.map(({ publicJwk }) => ("n" in publicJwk ? publicJwk.n : ""));
      expect(new Set(moduli).size).toBe(3);
      expect(taken[2].privateKey.asymmetricKeyDetails?.modulusLength).toBe(3072);
    } finally {
      keys.stop();
    }
  });
});
