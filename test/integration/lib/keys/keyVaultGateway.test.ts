// Key Vault gateway against the Key Vault emulator over https with the official KeyClient.
import { createHttpHeaders, type PipelinePolicy } from "@azure/core-rest-pipeline";
import { KeyClient } from "@azure/keyvault-keys";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sandboxCredential } from "../../../../sandbox/identity";
import { startKeyVaultEmulator, type KeyVaultEmulator } from "../../../../sandbox/keyvault";
import { createAzureClients } from "../../../../src/lib/azure";
import { ThrottledError } from "../../../../src/lib/errors";
import {
  ROTATION_ID_TAG,
  createKeyVaultGateway,
  isCreatedByService,
  type KeyVaultGateway,
} from "../../../../src/lib/keys";
import { loadSettings } from "../../../../src/lib/settings";
import { codeOf } from "../../../support/codeOf";

const APP = "app-principal";
const key = { vaultName: "kv1", keyName: "cmk" };

describe("Key Vault gateway", () => {
  let emulator: KeyVaultEmulator;
  let gateway: KeyVaultGateway;
  let impatientGateway: KeyVaultGateway;
  let admin: KeyClient;
  let firstVersion: string;

  beforeAll(async () => {
    emulator = await startKeyVaultEmulator({
      vaults: [{ name: "kv1" }],
      throttling: false,
      keyPool: { 2048: 4 },
    });
    const settings = loadSettings({
      AzureWebJobsStorage: "UseDevelopmentStorage=true",
      CMK_ALLOWED_VAULTS: `kv1=${emulator.vaultUrl("kv1")}`,
      CMK_REVOCATION_SECRET: "s".repeat(32),
      CMK_SWEEP_SCHEDULE: "0 0 * * * *",
    });
    gateway = createKeyVaultGateway(createAzureClients(settings, { credential: sandboxCredential(APP) }));
    impatientGateway = createKeyVaultGateway(
      createAzureClients(settings, { credential: sandboxCredential(APP), retryOptions: { maxRetries: 0 } }),
    );
    admin = new KeyClient(emulator.vaultUrl("kv1"), sandboxCredential("admin"), {
      disableChallengeResourceVerification: true,
    });
    const created = await admin.createRsaKey("cmk", {
      keySize: 2048,
      keyOps: ["wrapKey", "unwrapKey"],
      tags: { owner: "team-a" },
    });
    firstVersion = created.properties.version!;
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it("reads the current version with type, size, operations and tags", async () => {
    const info = await gateway.getKey({ vaultName: "KV1", keyName: "cmk" });
    expect(info).toMatchObject({
      version: firstVersion,
      keyType: "RSA",
      keySize: 2048,
      enabled: true,
      tags: { owner: "team-a" },
    });
    expect([...info.keyOps].sort()).toEqual(["unwrapKey", "wrapKey"]);
    expect(info.keyId).toBe(`${emulator.vaultUrl("kv1")}/keys/cmk/${firstVersion}`);
    expect(isCreatedByService(info)).toBe(false);
  });

  it("creates a version exactly once per rotation id, copying type, size and operations", async () => {
    const expiresOnMs = Date.parse("2027-01-01T00:00:00Z");
    const first = await gateway.createVersionOnce(key, "rot-1", { expiresOnMs });
    const again = await gateway.createVersionOnce(key, "rot-1", { expiresOnMs });
    expect(first.wasCreated).toBe(true);
    expect(again.wasCreated).toBe(false);
    expect(again.version.version).toBe(first.version.version);
    expect(first.version).toMatchObject({
      keyType: "RSA",
      keySize: 2048,
      expiresOnMs,
      tags: { owner: "team-a", [ROTATION_ID_TAG]: "rot-1" },
    });
    expect([...first.version.keyOps].sort()).toEqual(["unwrapKey", "wrapKey"]);

    const versions = await gateway.listVersions(key);
    expect(versions).toHaveLength(2);
    expect(versions[0].version).toBe(first.version.version);
    expect((await gateway.findVersionByTag(key, "rot-1"))?.version).toBe(first.version.version);
    expect(await gateway.findVersionByTag(key, "rot-2")).toBeUndefined();
    expect((await gateway.getKey(key)).version).toBe(first.version.version);
  });

  it("disables and re-enables one version, never deleting it; a disabled version cannot be read", async () => {
    expect((await gateway.setVersionEnabled(key, firstVersion, false)).enabled).toBe(false);
    expect(await codeOf(gateway.getKeyVersion(key, firstVersion))).toBe("KeyDisabled");
    expect((await gateway.setVersionEnabled(key, firstVersion, true)).enabled).toBe(true);
    expect((await gateway.getKeyVersion(key, firstVersion)).enabled).toBe(true);
    expect(await gateway.listVersions(key)).toHaveLength(2);
  });

  it("lists every version while all of them are disabled (as after a revocation)", async () => {
    const versions = await gateway.listVersions(key);
    for (const version of versions) await gateway.setVersionEnabled(key, version.version, false);
    try {
      expect(await codeOf(gateway.getKey(key))).toBe("KeyDisabled");
      const listed = await gateway.listVersionsUnordered(key);
      expect(listed.map((version) => version.enabled)).toEqual(versions.map(() => false));
      // Versions created within Key Vault's one-second resolution may come in any order now (no tie-break read).
      expect((await gateway.listVersions(key)).map((version) => version.version).sort()).toEqual(
        versions.map((version) => version.version).sort(),
      );
    } finally {
      for (const version of versions) await gateway.setVersionEnabled(key, version.version, true);
    }
    expect(await codeOf(gateway.listVersionsUnordered({ vaultName: "kv1", keyName: "missing" }))).toBe(
      "KeyNotFound",
    );
  });

  it("maps missing keys and versions, refused access and throttling to domain errors", async () => {
    expect(await codeOf(gateway.getKey({ vaultName: "kv1", keyName: "missing" }))).toBe("KeyNotFound");
    expect(await codeOf(gateway.getKeyVersion(key, "0000000000000000000000000000dead"))).toBe(
      "KeyVersionNotFound",
    );
    expect(await codeOf(gateway.getKey({ vaultName: "kv9", keyName: "cmk" }))).toBe("UnknownVault");

    emulator.denyPrincipal("kv1", APP);
    try {
      expect(await codeOf(gateway.getKey(key))).toBe("DependencyForbidden");
    } finally {
      emulator.allowPrincipal("kv1", APP);
    }

    emulator.setFaults("kv1", { errorRate: 1, statuses: [429] });
    try {
      const error = await impatientGateway.getKey(key).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(ThrottledError);
      expect((error as ThrottledError).retryAfterMs).toBe(1000);
    } finally {
      emulator.clearFaults("kv1");
    }
  });

  it("makes one version when the answer to a create is lost after Key Vault made it", async () => {
    // Between the app and the vault, the first create's answer is lost after the vault committed it:
    // a 503 comes back, as from a gateway that gave up. The SDK would retry the create and make a second version.
    let isAnswerLost = false;
    const loseFirstCreateAnswer: PipelinePolicy = {
      name: "loseFirstCreateAnswer",
      sendRequest: async (request, next) => {
        const response = await next(request);
        if (isAnswerLost || request.method !== "POST" || !/\/create\b/.test(request.url)) return response;
        isAnswerLost = true;
        return {
          ...response,
          status: 503,
          headers: createHttpHeaders({ "retry-after": "1", "content-type": "application/json" }),
          bodyAsText: JSON.stringify({ error: { code: "ServiceUnavailable", message: "answer lost" } }),
        };
      },
    };
    const lossyClient = (maxRetries: number | undefined) =>
      new KeyClient(emulator.vaultUrl("kv1"), sandboxCredential(APP), {
        disableChallengeResourceVerification: true,
        additionalPolicies: [{ policy: loseFirstCreateAnswer, position: "perRetry" }],
        ...(maxRetries === undefined ? {} : { retryOptions: { maxRetries } }),
      });
    const withRetries = lossyClient(undefined);
    const withoutRetries = lossyClient(0);
    const lossyGateway = createKeyVaultGateway({
      keyClient: () => withRetries,
      keyClientWithoutRetries: () => withoutRetries,
    });
    const lostKey = { vaultName: "kv1", keyName: "cmk-lost-answer" };
    await admin.createRsaKey(lostKey.keyName, { keySize: 2048 });

    const created = await lossyGateway.createVersionOnce(lostKey, "rot-lost");

    expect(isAnswerLost).toBe(true);
    const tagged = (await gateway.listVersions(lostKey)).filter(
      (version) => version.tags[ROTATION_ID_TAG] === "rot-lost",
    );
    expect(tagged.map((version) => version.version)).toEqual([created.version.version]);
  });

  it("reads the rotation policy, or none", async () => {
    const policy = await gateway.getRotationPolicy(key);
    expect(policy === undefined || Array.isArray(policy.lifetimeActions)).toBe(true);
  });
});
