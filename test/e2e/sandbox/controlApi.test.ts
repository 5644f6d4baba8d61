// The sandbox control API (docs/sandbox.md) over real http, wired to a real Key Vault emulator, Azurite behind the table fault proxy, and a virtual clock.
import { KeyClient } from "@azure/keyvault-keys";
import { TableClient, AzureNamedKeyCredential } from "@azure/data-tables";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  startAzurite,
  AZURITE_ACCOUNT,
  AZURITE_ACCOUNT_KEY,
  type RunningAzurite,
} from "../../../sandbox/azurite";
import { VirtualClock } from "../../../sandbox/clock";
import { startControlApi, type ControlApi } from "../../../sandbox/control";
import { sandboxCredential } from "../../../sandbox/identity";
import { startKeyVaultEmulator, type KeyVaultEmulator } from "../../../sandbox/keyvault";
import { keyVaultFaultTarget } from "../../../sandbox/launcher/keyVaultFaultTarget";
import { TableFaultProxy } from "../../../sandbox/launcher/TableFaultProxy";
import { testTls } from "../../../sandbox/tls";

const clock = new VirtualClock();
let azurite: RunningAzurite;
let proxy: TableFaultProxy;
let proxiedTableEndpoint: string;
let keyVault: KeyVaultEmulator;
let control: ControlApi;

beforeAll(async () => {
  azurite = await startAzurite({ services: ["table"] });
  proxy = new TableFaultProxy(new URL(azurite.tableEndpoint).origin);
  proxiedTableEndpoint = `${await proxy.start()}/${AZURITE_ACCOUNT}`;
  keyVault = await startKeyVaultEmulator({ vaults: [{ name: "kv-control" }], clock, keyPool: { 2048: 1 } });
  control = await startControlApi({
    clock,
    faultTargets: { keyvault: keyVaultFaultTarget(keyVault), tables: proxy },
  });
});

afterAll(async () => {
  await control?.stop();
  await keyVault?.stop();
  await proxy?.stop();
  await azurite?.stop();
  clock.clearAll();
});

async function call(method: string, path: string, body?: unknown) {
  const response = await fetch(`${control.url}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function keyClient() {
  return new KeyClient(keyVault.vaults["kv-control"].url, sandboxCredential("control-test"), {
    disableChallengeResourceVerification: true,
    retryOptions: { maxRetries: 0 },
    tlsOptions: { ca: testTls().caPem },
  });
}

describe("sandbox control API", () => {
  it("reads and advances the shared virtual clock", async () => {
    const before = await call("GET", "/clock");
    expect(before.status).toBe(200);
    let fired = 0;
    clock.setTimeout(2 * 86_400_000, () => {
      fired++;
    });
    const advanced = await call("POST", "/clock/advance", { seconds: 3 * 86_400 });
    expect(advanced.status).toBe(200);
    expect(fired).toBe(1);
    const movedMs = Date.parse(advanced.body.now as string) - Date.parse(before.body.now as string);
    expect(movedMs).toBeGreaterThanOrEqual(3 * 86_400_000);
    expect(movedMs).toBeLessThan(3 * 86_400_000 + 10_000);
  });

  it.each([
    [{ seconds: -1 }, 400],
    [{ seconds: "ten" }, 400],
    [{}, 400],
    ["{not json", 400],
  ])("refuses clock advance %j with %i", async (body, status) => {
    const response = await call("POST", "/clock/advance", body);
    expect(response.status).toBe(status);
    expect(response.body.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
  });

  it("injects Key Vault faults until DELETE /faults", async () => {
    const client = keyClient();
    await client.createRsaKey("faulty", { keySize: 2048 });
    const injected = await call("POST", "/faults", {
      target: "keyvault",
      errorRate: 1,
      statuses: [503],
      latencyMs: 0,
    });
    expect(injected.status).toBe(200);
    await expect(client.getKey("faulty")).rejects.toMatchObject({ statusCode: 503 });
    expect((await call("GET", "/faults")).body.value).toEqual([
      { target: "keyvault", errorRate: 1, statuses: [503], latencyMs: 0 },
    ]);
    expect((await call("DELETE", "/faults")).status).toBe(200);
    expect((await client.getKey("faulty")).name).toBe("faulty");
  });

  it("injects table faults through the proxy the app's storage points at", async () => {
    const table = new TableClient(
      proxiedTableEndpoint,
      "controltest",
      new AzureNamedKeyCredential(AZURITE_ACCOUNT, AZURITE_ACCOUNT_KEY),
      {
        allowInsecureConnection: true,
        retryOptions: { maxRetries: 0 },
      },
    );
    await table.createTable();
    await table.upsertEntity({ partitionKey: "p", rowKey: "r", value: 1 });
    expect((await call("POST", "/faults", { target: "tables", errorRate: 1, statuses: [500] })).status).toBe(
      200,
    );
    await expect(table.getEntity("p", "r")).rejects.toMatchObject({ statusCode: 500 });
    await call("DELETE", "/faults");
    expect((await table.getEntity<{ value: number }>("p", "r")).value).toBe(1);
  });

  it.each([
    [{ target: "dns", errorRate: 1 }, 400, /target must be one of keyvault, arm, tables/],
    [{ target: "keyvault", errorRate: 2 }, 400, /errorRate/],
    [{ target: "keyvault", statuses: [200] }, 400, /statuses/],
    [{ target: "keyvault", latencyMs: -5 }, 400, /latencyMs/],
    [{ target: "tables", throttle: true }, 400, /no throttling/],
    [{ target: "arm", errorRate: 0.5 }, 404, /arm is not running/],
  ])("refuses fault %j", async (body, status, message) => {
    const response = await call("POST", "/faults", body);
    expect(response.status).toBe(status);
    expect((response.body.error as { message: string }).message).toMatch(message);
  });

  it("answers unknown routes and methods with JSON errors, and probes with 503 when ARM is absent", async () => {
    expect((await call("GET", "/nothing")).status).toBe(404);
    expect((await call("PUT", "/clock")).status).toBe(405);
    const probe = await call("GET", "/storageAccounts/adls1/dataAccess");
    expect(probe.status).toBe(503);
    expect(probe.body.error).toMatchObject({ code: "ProbesUnavailable" });
  });
});
