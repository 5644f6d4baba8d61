// The composition root against in-process Azurite: tables reached through AzureWebJobsStorage (http only on loopback).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAzurite, type RunningAzurite } from "../../../../sandbox/azurite";
import { sandboxCredential } from "../../../../sandbox/identity";
import { isLoopbackUrl } from "../../../../src/lib/azure";
import { validateBinding } from "../../../../src/lib/bindings";
import { createServices } from "../../../../src/lib/services";
import { loadSettings } from "../../../../src/lib/settings";

describe("createServices", () => {
  let azurite: RunningAzurite;
  beforeAll(async () => {
    azurite = await startAzurite({ services: ["table"] });
  });
  afterAll(async () => {
    await azurite.stop();
  });

  it("wires every store to AzureWebJobsStorage", async () => {
    const services = createServices(
      loadSettings({
        AzureWebJobsStorage: azurite.connectionString,
        CMK_ALLOWED_VAULTS: "kv1=https://127.0.0.1:1",
        CMK_REVOCATION_SECRET: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        CMK_SWEEP_SCHEDULE: "0 0 * * * *",
      }),
      { credential: sandboxCredential("app"), nowMs: () => 42 },
    );
    const key = services.allowList.identity("kv1", "cmk");
    const sub = "00000000-0000-4000-8000-000000000001";
    const binding = validateBinding(key, {
      targets: [
        {
          kind: "storageAccount",
          resourceId: `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st1`,
          mode: "pinned",
        },
      ],
    });
    expect((await services.bindings.put(binding)).updatedAtMs).toBe(42);
    expect(await services.bindings.list()).toHaveLength(1);
    expect(await services.once.claim("event", "e1", 1)).toBe(true);
    await services.fences.raise(key, "rev-1", 1);
    expect(await services.fences.get(key)).toMatchObject({ revocationId: "rev-1" });
    expect(await services.audit.listHistory(key)).toEqual([]);
    expect(services.notifications.isEnabled).toBe(false);
    expect(services.clients.keyClient("KV1").vaultUrl).toBe("https://127.0.0.1:1");
  });

  it.each([
    ["https://127.0.0.1:8443", true],
    ["http://localhost:1", true],
    ["https://[::1]:1", true],
    ["https://kv1.vault.azure.net", false],
    ["https://127.0.0.1.evil.example", false],
    ["not a url", false],
  ])("isLoopbackUrl(%s) = %s", (url, expected) => {
    expect(isLoopbackUrl(url)).toBe(expected);
  });
});
