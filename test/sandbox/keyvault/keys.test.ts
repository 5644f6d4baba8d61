// Conformance of the Key Vault emulator's keys API through the official KeyClient and CryptographyClient.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { CryptographyClient, KeyClient } from "@azure/keyvault-keys";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VirtualClock } from "../../../sandbox/clock";
import { sandboxCredential } from "../../../sandbox/identity";
import { startKeyVaultEmulator, type KeyVaultEmulator } from "../../../sandbox/keyvault";
import { testTls } from "../../../sandbox/tls";
import { rawCall, shapeMismatches } from "./rawHttps";

const FIXTURES = join(__dirname, "..", "..", "fixtures", "keyvault");
function exampleBody(file: string): unknown {
  const example = JSON.parse(readFileSync(join(FIXTURES, file), "utf8")) as {
    responses: { "200": { body: unknown } };
  };
  return example.responses["200"].body;
}

const APP = "app-principal";
const clientOptions = {
  disableChallengeResourceVerification: true,
  tlsOptions: { ca: testTls().caPem },
  retryOptions: { maxRetries: 0 },
};

describe("Key Vault emulator keys API", () => {
  let emulator: KeyVaultEmulator;
  let vaultUrl: string;
  let keys: KeyClient;
  const clock = new VirtualClock();

  beforeAll(async () => {
    emulator = await startKeyVaultEmulator({
      vaults: [{ name: "kv-conformance" }],
      clock,
      throttling: false,
    });
    vaultUrl = emulator.vaultUrl("kv-conformance");
    keys = new KeyClient(vaultUrl, sandboxCredential(APP), clientOptions);
  });
  afterAll(async () => {
    await emulator.stop();
    clock.clearAll();
  });

  it("challenges a request without a token like Key Vault and checks the api-version", async () => {
    const anonymous = await rawCall(`${vaultUrl}/keys?api-version=7.5`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers["www-authenticate"]).toMatch(
      /^Bearer authorization="https:\/\/login\.microsoftonline\.com\/[^"]+", resource="https:\/\/vault\.azure\.net"$/,
    );
    const oldVersion = await rawCall(`${vaultUrl}/keys?api-version=2016-10-01`, { principalId: APP });
    expect(oldVersion.status).toBe(400);
    expect(oldVersion.json).toMatchObject({ error: { code: "BadParameter" } });
    for (const version of ["7.4", "7.5", "7.6", "2025-07-01"]) {
      expect((await rawCall(`${vaultUrl}/keys?api%2Dversion=${version}`, { principalId: APP })).status).toBe(
        200,
      );
    }
  });

  it("creates, gets (latest and by version), rotates and lists versions with Key Vault's shapes", async () => {
    const exp = new Date((clock.nowSeconds() + 400 * 86_400) * 1000);
    const created = await keys.createRsaKey("cmk-shapes", {
      keySize: 2048,
      expiresOn: exp,
      tags: { purpose: "cmk" },
    });
    expect(created.keyType).toBe("RSA");
    expect(created.properties.expiresOn?.getTime()).toBe(exp.getTime());
    expect(created.properties.createdOn?.getTime()).toBe(clock.nowSeconds() * 1000);
    expect(created.properties.tags).toEqual({ purpose: "cmk" });
    expect(created.id).toBe(`${vaultUrl}/keys/cmk-shapes/${created.properties.version}`);

    const rotated = await keys.rotateKey("cmk-shapes");
    expect(rotated.properties.version).not.toBe(created.properties.version);
    expect(rotated.properties.tags).toEqual({ purpose: "cmk" });
    expect((await keys.getKey("cmk-shapes")).properties.version).toBe(rotated.properties.version);
    expect((await keys.getKey("cmk-shapes", { version: created.properties.version })).key?.n).toEqual(
      created.key?.n,
    );

    const rotateWire = await rawCall(`${vaultUrl}/keys/cmk-shapes/rotate?api-version=7.5`, {
      method: "POST",
      principalId: APP,
    });
    expect(shapeMismatches(exampleBody("RotateKey-example.json"), rotateWire.json)).toEqual([]);

    const versions = [];
    for await (const page of keys.listPropertiesOfKeyVersions("cmk-shapes").byPage({ maxPageSize: 1 }))
      versions.push(...page);
    expect(versions.map((v) => v.version).sort()).toHaveLength(3);
    const versionsWire = await rawCall(`${vaultUrl}/keys/cmk-shapes/versions?api-version=7.5&maxresults=1`, {
      principalId: APP,
    });
    expect(shapeMismatches(exampleBody("GetKeyVersions-example.json"), versionsWire.json)).toEqual([]);

    const names = [];
    for await (const properties of keys.listPropertiesOfKeys()) names.push(properties.name);
    expect(names).toContain("cmk-shapes");
  });

  it("updates enabled, nbf, exp, key_ops and tags of one version", async () => {
    const key = await keys.createRsaKey("cmk-update", { keySize: 2048 });
    const version = key.properties.version ?? "";
    const updated = await keys.updateKeyProperties("cmk-update", version, {
      enabled: false,
      notBefore: new Date(631180800_000),
      expiresOn: new Date(662716800_000),
      keyOps: ["decrypt", "encrypt"],
      tags: { state: "revoked" },
    });
    expect(updated.properties.enabled).toBe(false);
    expect(updated.properties.notBefore?.getTime()).toBe(631180800_000);
    expect(updated.keyOperations).toEqual(["decrypt", "encrypt"]);
    expect(updated.properties.tags).toEqual({ state: "revoked" });
    const wire = await rawCall(`${vaultUrl}/keys/cmk-update/${version}?api-version=7.5`, {
      method: "PATCH",
      principalId: APP,
      body: {
        key_ops: ["decrypt", "encrypt"],
        attributes: { enabled: false, nbf: 631180800, exp: 662716800 },
      },
    });
    expect(shapeMismatches(exampleBody("UpdateKey-example.json"), wire.json)).toEqual([]);
    const missing = await rawCall(
      `${vaultUrl}/keys/cmk-update/00000000000000000000000000000000?api-version=7.5`,
      { principalId: APP },
    );
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ error: { code: "KeyNotFound" } });
  });

  it("gets and sets rotation policies, validating ISO-8601 durations", async () => {
    await keys.createRsaKey("cmk-policy", { keySize: 2048 });
    const defaults = await keys.getKeyRotationPolicy("cmk-policy");
    expect(defaults.lifetimeActions).toEqual([{ action: "Notify", timeBeforeExpiry: "P30D" }]);
    const policy = await keys.updateKeyRotationPolicy("cmk-policy", {
      lifetimeActions: [
        { action: "Rotate", timeAfterCreate: "P90D" },
        { action: "Notify", timeBeforeExpiry: "P30D" },
      ],
      expiresIn: "P2Y",
    });
    expect(policy.expiresIn).toBe("P2Y");
    expect(policy.lifetimeActions).toHaveLength(2);
    const getWire = await rawCall(`${vaultUrl}/keys/cmk-policy/rotationpolicy?api-version=7.5`, {
      principalId: APP,
    });
    expect(shapeMismatches(exampleBody("GetKeyRotationPolicy-example.json"), getWire.json)).toEqual([]);
    const updateExample = JSON.parse(
      readFileSync(join(FIXTURES, "UpdateKeyRotationPolicy-example.json"), "utf8"),
    ) as {
      parameters: { keyRotationPolicy: unknown };
    };
    const putWire = await rawCall(`${vaultUrl}/keys/cmk-policy/rotationpolicy?api-version=7.5`, {
      method: "PUT",
      principalId: APP,
      body: updateExample.parameters.keyRotationPolicy,
    });
    expect(putWire.status).toBe(200);
    expect(shapeMismatches(exampleBody("UpdateKeyRotationPolicy-example.json"), putWire.json)).toEqual([]);
    const monthly = await rawCall(`${vaultUrl}/keys/cmk-policy/rotationpolicy?api-version=7.5`, {
      method: "PUT",
      principalId: APP,
      body: {
        lifetimeActions: [{ trigger: { timeBeforeExpiry: "P1M" }, action: { type: "Rotate" } }],
        attributes: { expiryTime: "P3M" },
      },
    });
    expect(monthly.status).toBe(200);
    // PT3M is three minutes, far below the 28-day minimum expiry; P3M (three months) above was accepted.
    await expect(keys.updateKeyRotationPolicy("cmk-policy", { expiresIn: "PT3M" })).rejects.toMatchObject({
      statusCode: 400,
      code: "BadParameter",
    });
    await expect(
      keys.updateKeyRotationPolicy("cmk-policy", {
        lifetimeActions: [{ action: "Rotate", timeAfterCreate: "90 days" }],
      }),
    ).rejects.toMatchObject({ statusCode: 400 });
  });

  it("refuses to read a disabled version (403, inner code KeyDisabled) but still lists and updates it", async () => {
    const first = await keys.createRsaKey("cmk-disabled", { keySize: 2048 });
    const firstVersion = first.properties.version ?? "";
    await keys.createRsaKey("cmk-disabled", { keySize: 2048 });
    await keys.updateKeyProperties("cmk-disabled", firstVersion, { enabled: false });
    const refused = await rawCall(`${vaultUrl}/keys/cmk-disabled/${firstVersion}?api-version=7.5`, {
      principalId: APP,
    });
    expect(refused.status).toBe(403);
    expect(refused.json).toEqual({
      error: {
        code: "Forbidden",
        message: "Operation get is not allowed on a disabled key.",
        innererror: { code: "KeyDisabled" },
      },
    });
    await expect(keys.getKey("cmk-disabled", { version: firstVersion })).rejects.toMatchObject({
      statusCode: 403,
    });
    expect((await keys.getKey("cmk-disabled")).properties.enabled).toBe(true);

    const listed = [];
    for await (const properties of keys.listPropertiesOfKeyVersions("cmk-disabled")) listed.push(properties);
    expect(listed.find((properties) => properties.version === firstVersion)?.enabled).toBe(false);
    const enabled = await keys.updateKeyProperties("cmk-disabled", firstVersion, { enabled: true });
    expect(enabled.properties.enabled).toBe(true);
    expect((await keys.getKey("cmk-disabled", { version: firstVersion })).properties.version).toBe(
      firstVersion,
    );
  });

  it("wraps and unwraps with RSA-OAEP and RSA-OAEP-256, refusing disabled, not-yet-valid and expired versions", async () => {
    const key = await keys.createRsaKey("cmk-wrap", { keySize: 2048 });
    const crypto = new CryptographyClient(key.id ?? "", sandboxCredential(APP), clientOptions);
    const dek = randomBytes(32);
    for (const algorithm of ["RSA-OAEP", "RSA-OAEP-256"] as const) {
      const wrapped = await crypto.wrapKey(algorithm, dek);
      expect((await crypto.unwrapKey(algorithm, wrapped.result)).result).toEqual(dek);
    }
    const wrapped = await crypto.wrapKey("RSA-OAEP", dek);
    const unwrapUrl = `${key.id ?? ""}/unwrapkey?api-version=7.5`;
    const body = { alg: "RSA-OAEP", value: Buffer.from(wrapped.result).toString("base64url") };
    const version = key.properties.version ?? "";
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ enabled: false }, "KeyDisabled"],
      [{ enabled: true, nbf: clock.nowSeconds() + 3600 }, "KeyNotYetValid"],
      [{ nbf: null, exp: clock.nowSeconds() - 1 }, "KeyExpired"],
    ];
    for (const [attributes, innerCode] of cases) {
      await rawCall(`${vaultUrl}/keys/cmk-wrap/${version}?api-version=7.5`, {
        method: "PATCH",
        principalId: APP,
        body: { attributes },
      });
      const refused = await rawCall(unwrapUrl, { method: "POST", principalId: APP, body });
      expect(refused.status).toBe(403);
      expect(refused.json).toMatchObject({ error: { code: "Forbidden", innererror: { code: innerCode } } });
    }
    await rawCall(`${vaultUrl}/keys/cmk-wrap/${version}?api-version=7.5`, {
      method: "PATCH",
      principalId: APP,
      body: { attributes: { exp: null } },
    });
    expect((await rawCall(unwrapUrl, { method: "POST", principalId: APP, body })).status).toBe(200);
    const garbage = await rawCall(unwrapUrl, {
      method: "POST",
      principalId: APP,
      body: { alg: "RSA-OAEP", value: "AAAA" },
    });
    expect(garbage.status).toBe(400);
  });

  it("answers 403 Forbidden to a denied principal until access is given back", async () => {
    const key = await keys.createRsaKey("cmk-access", { keySize: 2048 });
    const storageIdentity = "storage-uami";
    const asStorage = new CryptographyClient(key.id ?? "", sandboxCredential(storageIdentity), clientOptions);
    const wrapped = await asStorage.wrapKey("RSA-OAEP", randomBytes(32));
    emulator.denyPrincipal("kv-conformance", storageIdentity);
    await expect(asStorage.unwrapKey("RSA-OAEP", wrapped.result)).rejects.toMatchObject({
      statusCode: 403,
      code: "Forbidden",
    });
    expect((await keys.getKey("cmk-access")).name).toBe("cmk-access");
    emulator.allowPrincipal("kv-conformance", storageIdentity);
    await expect(asStorage.unwrapKey("RSA-OAEP", wrapped.result)).resolves.toBeDefined();
    const emulatorApi = await rawCall(`${vaultUrl}/_emulator/access/deny`, {
      method: "POST",
      body: { principalId: "*" },
    });
    expect(emulatorApi.json).toMatchObject({ isDenyAll: true });
    await expect(keys.getKey("cmk-access")).rejects.toMatchObject({ statusCode: 403 });
    await rawCall(`${vaultUrl}/_emulator/access/allow`, { method: "POST", body: { principalId: "*" } });
  });

  it("soft-deletes and recovers a whole key", async () => {
    await keys.createRsaKey("cmk-delete", { keySize: 2048 });
    const deletion = await keys.beginDeleteKey("cmk-delete", { intervalInMs: 10 });
    const deleted = await deletion.pollUntilDone();
    expect(deleted.properties.recoveryId).toBe(`${vaultUrl}/deletedkeys/cmk-delete`);
    await expect(keys.getKey("cmk-delete")).rejects.toMatchObject({ statusCode: 404, code: "KeyNotFound" });
    await expect(keys.createRsaKey("cmk-delete")).rejects.toMatchObject({ statusCode: 409 });
    const recovery = await keys.beginRecoverDeletedKey("cmk-delete", { intervalInMs: 10 });
    expect((await recovery.pollUntilDone()).name).toBe("cmk-delete");
    expect((await keys.getKey("cmk-delete")).properties.enabled).toBe(true);
  });

  it("rejects bad input with 4xx and Key Vault's error shape", async () => {
    const badSize = await rawCall(`${vaultUrl}/keys/cmk-bad/create?api-version=7.5`, {
      method: "POST",
      principalId: APP,
      body: { kty: "RSA", key_size: 1024 },
    });
    expect(badSize.status).toBe(400);
    expect(badSize.json).toMatchObject({ error: { code: "BadParameter" } });
    const badName = await rawCall(`${vaultUrl}/keys/bad_name!/create?api-version=7.5`, {
      method: "POST",
      principalId: APP,
      body: { kty: "RSA" },
    });
    expect(badName.status).toBe(400);
    const notJson = await rawCall(`${vaultUrl}/keys/cmk-bad/create?api-version=7.5`, {
      method: "POST",
      principalId: APP,
      body: "x",
    });
    expect(notJson.status).toBe(400);
  });
});
