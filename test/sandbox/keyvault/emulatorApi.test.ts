// The /_emulator API and multi-vault wiring of the Key Vault emulator: routes, bad input, separate vaults, EC keys.
import { KeyClient } from "@azure/keyvault-keys";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VirtualClock } from "../../../sandbox/clock";
import { sandboxCredential } from "../../../sandbox/identity";
import { startKeyVaultEmulator, type KeyVaultEmulator } from "../../../sandbox/keyvault";
import { testTls } from "../../../sandbox/tls";
import { rawCall } from "./rawHttps";
import { startWebhookReceiver, type WebhookReceiver } from "./webhookReceiver";

describe("Key Vault emulator API and vaults", () => {
  let emulator: KeyVaultEmulator;
  let receiver: WebhookReceiver;
  const clock = new VirtualClock();
  const client = (vault: string) =>
    new KeyClient(emulator.vaultUrl(vault), sandboxCredential("app"), {
      disableChallengeResourceVerification: true,
      tlsOptions: { ca: testTls().caPem },
      retryOptions: { maxRetries: 0 },
    });

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    emulator = await startKeyVaultEmulator({
      vaults: [{ name: "kv-alpha" }, { name: "kv-beta" }],
      clock,
      subscriptionId: "11111111-2222-4333-8444-555555555555",
      resourceGroup: "rg-test",
      throttling: false,
      keyPool: { 2048: 2 },
    });
  });
  afterAll(async () => {
    await emulator.stop();
    clock.clearAll();
    await receiver.stop();
  });

  it("serves each vault on its own port with its own keys and ARM id", async () => {
    const { "kv-alpha": alpha, "kv-beta": beta } = emulator.vaults;
    expect(alpha.url).not.toBe(beta.url);
    expect(alpha.armId).toBe(
      "/subscriptions/11111111-2222-4333-8444-555555555555/resourceGroups/rg-test/providers/Microsoft.KeyVault/vaults/kv-alpha",
    );
    await client("kv-alpha").createRsaKey("only-in-alpha");
    await expect(client("kv-beta").getKey("only-in-alpha")).rejects.toMatchObject({ statusCode: 404 });
    expect((await rawCall(`${beta.url}/_emulator/info`)).json).toEqual(beta);
  });

  it("lists and deletes event subscriptions through the emulator API", async () => {
    const url = `${emulator.vaultUrl("kv-alpha")}/_emulator/eventSubscriptions`;
    const created = await rawCall(url, {
      method: "POST",
      body: {
        endpointUrl: receiver.url("/hook"),
        name: "to-app",
        includedEventTypes: ["Microsoft.KeyVault.KeyNearExpiry"],
      },
    });
    expect(created.json).toMatchObject({
      name: "to-app",
      schema: "EventGridSchema",
      endpointUrl: receiver.url("/hook"),
    });
    const { id } = created.json as { id: string };
    expect((await rawCall(url)).json).toEqual({ value: [created.json] });
    expect((await rawCall(`${url}/${id}`, { method: "DELETE" })).status).toBe(204);
    expect((await rawCall(`${url}/${id}`, { method: "DELETE" })).status).toBe(404);
    expect(emulator.listEventSubscriptions("kv-alpha")).toEqual([]);
  });

  it("answers bad emulator API input with 4xx and an error body", async () => {
    const base = `${emulator.vaultUrl("kv-alpha")}/_emulator`;
    const cases: Array<[string, string, unknown]> = [
      ["POST", "/eventSubscriptions", { endpointUrl: "ftp://example" }],
      ["POST", "/eventSubscriptions", { endpointUrl: receiver.url("/x"), schema: "CustomInputSchema" }],
      ["POST", "/deliveries/duplicate", { count: -1 }],
      ["PUT", "/throttling", { enabled: "yes" }],
      ["POST", "/access/deny", {}],
      ["GET", "/nothing-here", undefined],
    ];
    for (const [method, path, body] of cases) {
      const answer = await rawCall(`${base}${path}`, { method, body });
      expect(answer.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
      expect(answer.status, `${method} ${path}`).toBeLessThan(500);
      expect(answer.json).toMatchObject({
        error: { code: expect.any(String) as string, message: expect.any(String) as string },
      });
    }
    const badEncoding = await rawCall(`${emulator.vaultUrl("kv-alpha")}/keys/%E0%A4%A?api-version=7.5`, {
      principalId: "app",
    });
    expect(badEncoding.status).toBe(400);
  });

  it("creates EC keys and refuses RSA-only operations on them", async () => {
    const key = await client("kv-beta").createEcKey("ec-key", { curve: "P-256" });
    expect(key.keyType).toBe("EC");
    expect(key.key?.crv).toBe("P-256");
    const wrap = await rawCall(`${key.id ?? ""}/wrapkey?api-version=7.5`, {
      method: "POST",
      principalId: "app",
      body: { alg: "RSA-OAEP", value: "AAAA" },
    });
    expect(wrap.status).toBe(403);
  });
});
