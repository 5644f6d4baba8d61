// Throttling at per-vault limits (429 + Retry-After, completed by the SDK's own retry) and fault injection.
import { KeyClient } from "@azure/keyvault-keys";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VirtualClock } from "../../../sandbox/clock";
import { sandboxCredential } from "../../../sandbox/identity";
import { startKeyVaultEmulator, type KeyVaultEmulator } from "../../../sandbox/keyvault";
import { testTls } from "../../../sandbox/tls";
import { rawCall } from "./rawHttps";

const VAULT = "kv-throttle";

describe("Key Vault emulator throttling and faults", () => {
  let emulator: KeyVaultEmulator;
  const clock = new VirtualClock();
  const answers: Array<{ status: number; retryAfter?: string }> = [];
  const recorder: PipelinePolicy = {
    name: "answerRecorder",
    sendRequest: async (request, next) => {
      const response = await next(request);
      answers.push({ status: response.status, retryAfter: response.headers.get("retry-after") });
      return response;
    },
  };
  let keys: KeyClient;

  beforeAll(async () => {
    // Key Vault's limits scaled down (3 creates, 20 other operations per second) so the SDK's wait stays short.
    emulator = await startKeyVaultEmulator({
      vaults: [{ name: VAULT }],
      clock,
      throttling: { windowMs: 1000, createSoftware: 3, createHsm: 2, other: 20 },
      keyPool: { 2048: 6 },
    });
    keys = new KeyClient(emulator.vaultUrl(VAULT), sandboxCredential("app"), {
      disableChallengeResourceVerification: true,
      tlsOptions: { ca: testTls().caPem },
      additionalPolicies: [{ policy: recorder, position: "perRetry" }],
    });
  });
  afterAll(async () => {
    await emulator.stop();
    clock.clearAll();
  });

  it("answers a burst of creates with 429 and Retry-After, and the SDK's own retry completes it", async () => {
    answers.length = 0;
    const started = Date.now();
    const created = await Promise.all(
      Array.from({ length: 6 }, (_, i) => keys.createRsaKey(`cmk-burst-${i}`)),
    );
    expect(created).toHaveLength(6);
    const throttled = answers.filter((answer) => answer.status === 429);
    expect(throttled.length).toBeGreaterThanOrEqual(3);
    for (const answer of throttled) expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("throttles other operations separately and can be switched off through the emulator API", async () => {
    // Key Vault's 10-second window with a small limit: the test never waits for it, so a slow machine cannot slide it.
    const other = await startKeyVaultEmulator({
      vaults: [{ name: "kv-other-ops" }],
      clock,
      throttling: { windowMs: 10_000, other: 10 },
      keyPool: { 2048: 0 },
    });
    try {
      const vaultUrl = other.vaultUrl("kv-other-ops");
      const url = `${vaultUrl}/keys?api-version=7.5`;
      const burst = () => Promise.all(Array.from({ length: 15 }, () => rawCall(url, { principalId: "app" })));
      const throttled = (await burst()).filter((answer) => answer.status === 429);
      expect(throttled).toHaveLength(5);
      expect(throttled[0].json).toMatchObject({ error: { code: "Throttled" } });
      expect(Number(throttled[0].headers["retry-after"])).toBeGreaterThanOrEqual(1);
      const off = await rawCall(`${vaultUrl}/_emulator/throttling`, {
        method: "PUT",
        body: { enabled: false },
      });
      expect(off.json).toMatchObject({ enabled: false });
      expect((await burst()).every((answer) => answer.status === 200)).toBe(true);
      other.setThrottling(true);
      expect((await burst()).some((answer) => answer.status === 429)).toBe(true);
    } finally {
      await other.stop();
    }
  });

  it("injects errors and latency per vault until cleared", async () => {
    const url = `${emulator.vaultUrl(VAULT)}/keys?api-version=7.5`;
    const put = await rawCall(`${emulator.vaultUrl(VAULT)}/_emulator/faults`, {
      method: "PUT",
      body: { errorRate: 1, statuses: [500, 503], latencyMs: 50 },
    });
    expect(put.status).toBe(200);
    const started = Date.now();
    const failed = await rawCall(url, { principalId: "app" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect([500, 503]).toContain(failed.status);
    expect(failed.json).toMatchObject({ error: { code: expect.any(String) as string } });
    const invalid = await rawCall(`${emulator.vaultUrl(VAULT)}/_emulator/faults`, {
      method: "PUT",
      body: { errorRate: 2 },
    });
    expect(invalid.status).toBe(400);
    emulator.clearFaults();
    expect((await rawCall(url, { principalId: "app" })).status).toBe(200);
    emulator.setFaults(VAULT, { errorRate: 1, statuses: [429] });
    const injected429 = await rawCall(url, { principalId: "app" });
    expect(injected429.status).toBe(429);
    expect(injected429.headers["retry-after"]).toBe("1");
    await rawCall(`${emulator.vaultUrl(VAULT)}/_emulator/faults`, { method: "DELETE" });
    expect((await rawCall(url, { principalId: "app" })).status).toBe(200);
  });

  it("carries a failing request out before answering with the error when servedFirstShare says so", async () => {
    const createUrl = `${emulator.vaultUrl(VAULT)}/keys/cmk-served-first/create?api-version=7.5`;
    emulator.setThrottling(false);
    const put = await rawCall(`${emulator.vaultUrl(VAULT)}/_emulator/faults`, {
      method: "PUT",
      body: { errorRate: 1, statuses: [503], servedFirstShare: 1 },
    });
    expect(put.json).toMatchObject({ servedFirstShare: 1 });
    const failed = await rawCall(createUrl, { method: "POST", principalId: "app", body: { kty: "RSA" } });
    expect(failed.status).toBe(503);
    emulator.clearFaults();
    // The caller saw a 503, yet the vault made the version.
    const versions = [];
    for await (const version of keys.listPropertiesOfKeyVersions("cmk-served-first")) versions.push(version);
    expect(versions).toHaveLength(1);
    const invalid = await rawCall(`${emulator.vaultUrl(VAULT)}/_emulator/faults`, {
      method: "PUT",
      body: { servedFirstShare: -1 },
    });
    expect(invalid.status).toBe(400);
    emulator.setThrottling(true);
  });
});
