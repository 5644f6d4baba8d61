// End to end: the sandbox started as `npm start -- --no-demo` (ports 0, temp CMK_SANDBOX_DIR), driven only through
// the CLI and the official SDK clients, then stopped with no process or port left behind; plus the port-taken failure.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, connect, type Server } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StorageManagementClient } from "@azure/arm-storage";
import { AzureNamedKeyCredential, TableClient } from "@azure/data-tables";
import { KeyClient } from "@azure/keyvault-keys";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AZURITE_ACCOUNT, AZURITE_ACCOUNT_KEY } from "../../../sandbox/azurite";
import { sandboxCredential } from "../../../sandbox/identity";
import type { SandboxState } from "../../../sandbox/launcher/sandboxState";
import { OPERATOR_PRINCIPAL } from "../../../sandbox/launcher/demo/demoClients";
import { grantRole, roleAssignmentCommandsIn } from "../../../sandbox/launcher/demo/roleGrants";
import { testTls } from "../../../sandbox/tls";
import {
  assertBuilt,
  isAlive,
  readJson,
  runCli,
  spawnSandbox,
  waitForReady,
  type SandboxProcess,
} from "./sandboxProcess";

const STARTUP_BUDGET_MS = 30_000;
const stateDir = mkdtempSync(join(tmpdir(), "cmk-sandbox-e2e-"));
const statePath = join(stateDir, "sandbox.json");
const cliEnv = {
  CMK_SANDBOX_DIR: stateDir,
  CMK_BASE_URL: "",
  CMK_FUNCTION_KEY: "",
  CMK_REVOCATION_SECRET: "",
};
const ca = testTls().caPem;
// The principal the sandbox grants Key Vault Crypto Officer on its RBAC vault, as an admin would.
const operator = sandboxCredential(OPERATOR_PRINCIPAL);

let sandbox: SandboxProcess;
let state: SandboxState;
let startupMs: number;
/** Set once a key is bound and rotated, for the revocation test that follows. */
let boundKeyIsReady = false;

beforeAll(async () => {
  assertBuilt();
  const startedAt = Date.now();
  sandbox = spawnSandbox(["--no-demo"], { CMK_SANDBOX_PORTS: "0", CMK_SANDBOX_DIR: stateDir });
  await waitForReady(sandbox, STARTUP_BUDGET_MS);
  startupMs = Date.now() - startedAt;
  state = readJson<SandboxState>(statePath);
});

afterAll(async () => {
  if (sandbox && sandbox.child.exitCode === null) {
    sandbox.child.kill("SIGKILL");
    await sandbox.exited;
  }
  rmSync(stateDir, { recursive: true, force: true });
});

function keyClient(vaultName: string): KeyClient {
  return new KeyClient(state.keyVaults[vaultName], operator, {
    disableChallengeResourceVerification: true,
    tlsOptions: { ca },
    retryOptions: { maxRetries: 0 },
  });
}

function storageClient(): StorageManagementClient {
  return new StorageManagementClient(operator, state.subscriptionId, {
    endpoint: state.armEndpoint,
    credentials: { scopes: [`${state.armEndpoint}/.default`] },
    tlsOptions: { ca },
    retryOptions: { maxRetries: 0 },
  });
}

/** A StorageV2 account with a user-assigned identity, pinned to one key version (its identity calls Key Vault). */
async function createCmkStorageAccount(
  name: string,
  vaultName: string,
  keyName: string,
  keyVersion?: string,
) {
  const storage = storageClient();
  const identityId = `/subscriptions/${state.subscriptionId}/resourceGroups/${state.resourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}-identity`;
  await storage.storageAccounts.create(state.resourceGroup, name, {
    location: "westeurope",
    kind: "StorageV2",
    sku: { name: "Standard_LRS" },
    identity: { type: "UserAssigned", userAssignedIdentities: { [identityId]: {} } },
  });
  return storage.storageAccounts.update(state.resourceGroup, name, {
    encryption: {
      keySource: "Microsoft.Keyvault",
      keyVaultProperties: { keyVaultUri: state.keyVaults[vaultName], keyName, keyVersion },
      encryptionIdentity: { encryptionUserAssignedIdentity: identityId },
    },
  });
}

async function control(method: string, path: string, body?: unknown) {
  const response = await fetch(`${state.controlUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function portIsClosed(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

describe("npm start -- --no-demo", () => {
  it(`is ready within ${STARTUP_BUDGET_MS / 1000} s and writes the state file docs/sandbox.md describes`, () => {
    console.log(`sandbox start-up: ${startupMs} ms`);
    expect(startupMs).toBeLessThan(STARTUP_BUDGET_MS);
    expect(Object.keys(state).sort()).toEqual(
      [
        "armEndpoint",
        "caCertPath",
        "controlUrl",
        "eventGridWebhookUrl",
        "functionKey",
        "functionsBaseUrl",
        "keyVaults",
        "rbacVaults",
        "resourceGroup",
        "revocationSecret",
        "subscriptionId",
        "tableEndpoint",
      ].sort(),
    );
    expect(state.functionsBaseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(state.eventGridWebhookUrl).toMatch(
      /\/runtime\/webhooks\/EventGrid\?functionName=keyVaultEvents&code=.+/,
    );
    expect(state.armEndpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(Object.keys(state.keyVaults)).toHaveLength(2);
    expect(state.rbacVaults.every((name) => name in state.keyVaults)).toBe(true);
    expect(state.tableEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1$/);
    expect(state.revocationSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(existsSync(state.caCertPath)).toBe(true);
  });

  it("prints the status page's URL with ?code=, and it answers with the page", async () => {
    const printed = /^dashboard {4}(\S+)$/m.exec(sandbox.output())?.[1];
    expect(printed).toBe(
      `${state.functionsBaseUrl}/api/dashboard?code=${encodeURIComponent(state.functionKey)}`,
    );
    const page = await fetch(printed!);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(await page.text()).toContain("<title>cmk-rotator status</title>");
  });

  it("serves the Key Vault emulators to the official KeyClient", async () => {
    for (const vaultName of Object.keys(state.keyVaults)) {
      const client = keyClient(vaultName);
      const created = await client.createRsaKey("e2e-key", { keySize: 2048 });
      const rotated = await client.rotateKey("e2e-key");
      expect(rotated.properties.version).not.toBe(created.properties.version);
    }
  });

  it("serves ARM storage accounts to the official StorageManagementClient", async () => {
    const storage = storageClient();
    await storage.storageAccounts.create(state.resourceGroup, "ste2esandbox", {
      location: "westeurope",
      kind: "StorageV2",
      sku: { name: "Standard_LRS" },
    });
    const fetched = await storage.storageAccounts.getProperties(state.resourceGroup, "ste2esandbox");
    expect(fetched.name).toBe("ste2esandbox");
    const probe = await control("GET", "/storageAccounts/ste2esandbox/dataAccess");
    expect(probe.status).toBe(200);
  });

  it("serves Azurite tables on tableEndpoint, and table faults through the control API", async () => {
    const table = new TableClient(
      state.tableEndpoint,
      "e2esandbox",
      new AzureNamedKeyCredential(AZURITE_ACCOUNT, AZURITE_ACCOUNT_KEY),
      {
        allowInsecureConnection: true,
        retryOptions: { maxRetries: 0 },
      },
    );
    await table.createTable();
    await table.upsertEntity({ partitionKey: "p", rowKey: "r", note: "hello" });
    expect(
      (await control("POST", "/faults", { target: "tables", errorRate: 1, statuses: [503] })).status,
    ).toBe(200);
    await expect(table.getEntity("p", "r")).rejects.toMatchObject({ statusCode: 503 });
    expect((await control("DELETE", "/faults")).status).toBe(200);
    expect((await table.getEntity<{ note: string }>("p", "r")).note).toBe("hello");
  });

  it("moves the one virtual clock for every component through the control API", async () => {
    const before = Date.parse((await control("GET", "/clock")).body.now as string);
    const advanced = await control("POST", "/clock/advance", { seconds: 2 * 86_400 });
    expect(advanced.status).toBe(200);
    expect(Date.parse(advanced.body.now as string) - before).toBeGreaterThanOrEqual(2 * 86_400_000);
    // Key Vault stamps new versions with the virtual time.
    const rotated = await keyClient(Object.keys(state.keyVaults)[0]).rotateKey("e2e-key");
    expect(rotated.properties.createdOn?.getTime()).toBeGreaterThanOrEqual(before + 2 * 86_400_000 - 1000);
    expect((await control("GET", "/environments")).status).toBe(200);
  });

  it("answers the CLI from .sandbox/sandbox.json out of the box, with its documented exit codes", async () => {
    const missing = await runCli(["status", "no-such-rotation"], cliEnv);
    expect(missing.exitCode).toBe(3);
    expect(missing.stderr).toMatch(/^cmk-rotator: /);
    const usage = await runCli(["rotate"], cliEnv);
    expect(usage.exitCode).toBe(2);
    const wrongKey = await runCli(["bindings", "list", "--function-key", "wrong"], cliEnv);
    expect([3, 5]).toContain(wrongKey.exitCode);
  });

  it("rotates a bound key end to end through the CLI", async () => {
    const [vaultName] = Object.keys(state.keyVaults);
    const listed = await runCli(["bindings", "list", "--json"], cliEnv);
    expect(listed.exitCode).toBe(0);
    const key = await keyClient(vaultName).createRsaKey("e2e-bound", { keySize: 2048 });
    const storage = storageClient();
    const account = await createCmkStorageAccount(
      "ste2ebound",
      vaultName,
      "e2e-bound",
      key.properties.version,
    );
    const set = await runCli(
      ["bindings", "set", `${vaultName}/e2e-bound`, "--target", `storageAccount:pinned:${account.id}`],
      cliEnv,
    );
    expect(set.stderr).toBe("");
    expect(set.exitCode).toBe(0);
    const rotated = await runCli(
      ["rotate", `${vaultName}/e2e-bound`, "--wait", "--json", "--timeout", "60"],
      cliEnv,
    );
    expect(rotated.stderr).toBe("");
    const record = JSON.parse(rotated.stdout) as { id: string; status: string; newVersion: string };
    expect(record.status).toBe("Completed");
    expect(rotated.exitCode).toBe(0);
    const after = await storage.storageAccounts.getProperties(state.resourceGroup, "ste2ebound");
    expect(after.encryption?.keyVaultProperties?.keyVersion).toBe(record.newVersion);
    const status = await runCli(["status", record.id, "--json"], cliEnv);
    expect(status.exitCode).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ status: "Completed", newVersion: record.newVersion });
    const history = await runCli(["history", `${vaultName}/e2e-bound`, "--json"], cliEnv);
    expect(history.exitCode).toBe(0);
    const [newest] = (JSON.parse(history.stdout) as { value: Array<{ newVersion?: string }> }).value;
    expect(newest.newVersion).toBe(record.newVersion);
    boundKeyIsReady = true;
    const binding = await runCli(["bindings", "get", `${vaultName}/e2e-bound`], cliEnv);
    expect(binding.exitCode).toBe(0);
    expect(binding.stdout).toMatch(/storageAccount\s+pinned\s+\/subscriptions\/.+\/ste2ebound/);
  });

  it("revokes and restores that key through the signed CLI commands", async (context) => {
    const [vaultName] = Object.keys(state.keyVaults);
    const keys = keyClient(vaultName);
    if (!boundKeyIsReady) context.skip("the bound-key rotation above did not run");
    const revoked = await runCli(
      [
        "revoke",
        `${vaultName}/e2e-bound`,
        "--reason",
        "e2e drill",
        "--request-id",
        "e2e-revoke-1",
        "--wait",
        "--json",
        "--timeout",
        "60",
      ],
      cliEnv,
    );
    expect(revoked.stderr).toBe("");
    const revocation = JSON.parse(revoked.stdout) as { id: string; status: string };
    expect(revocation.status).toBe("Revoked");
    expect(revoked.exitCode).toBe(0);
    for await (const version of keys.listPropertiesOfKeyVersions("e2e-bound"))
      expect(version.enabled).toBe(false);
    expect((await control("GET", "/storageAccounts/ste2ebound/dataAccess")).status).toBe(403);

    // The same requestId again is a replay: refused, nothing changes.
    const replayed = await runCli(
      ["revoke", `${vaultName}/e2e-bound`, "--reason", "e2e drill", "--request-id", "e2e-revoke-1"],
      cliEnv,
    );
    expect(replayed.exitCode).toBe(5);

    const restored = await runCli(
      ["restore", revocation.id, "--reason", "e2e all clear", "--wait", "--json", "--timeout", "60"],
      cliEnv,
    );
    expect(restored.stderr).toBe("");
    expect((JSON.parse(restored.stdout) as { status: string }).status).toBe("Restored");
    expect(restored.exitCode).toBe(0);
    for await (const version of keys.listPropertiesOfKeyVersions("e2e-bound"))
      expect(version.enabled).toBe(true);
    expect((await control("GET", "/storageAccounts/ste2ebound/dataAccess")).status).toBe(200);
  });

  it("changes a key to one in the RBAC vault through the CLI: plan, refusal with the az line, grant, change", async () => {
    const [oldVault] = Object.keys(state.keyVaults);
    const [newVault] = state.rbacVaults;
    const old = await keyClient(oldVault).createRsaKey("e2e-from", { keySize: 2048 });
    const next = await keyClient(newVault).createRsaKey("e2e-to", { keySize: 3072 });
    await createCmkStorageAccount("ste2echange", oldVault, "e2e-from", old.properties.version);
    const change = ["change-key", `${oldVault}/e2e-from`, `${newVault}/e2e-to`, "--reason", "e2e vault move"];

    const plan = await runCli([...change, "--dry-run"], cliEnv);
    expect(plan.exitCode).toBe(0);
    expect(plan.stdout).toMatch(
      /storageAccount +pinned +no +\/subscriptions\/\S+\/storageAccounts\/ste2echange/,
    );
    expect(plan.stdout).toContain("preflight: the change would be refused (1 finding(s))");

    // Preflight: the account's identity has no role on the RBAC vault; exit 8, nothing changes.
    const refused = await runCli([...change, "--wait"], cliEnv);
    expect(refused.exitCode).toBe(8);
    expect(refused.stderr).toMatch(/^cmk-rotator: Preflight found 1 problem/);
    const [grant] = roleAssignmentCommandsIn(refused.stdout);
    expect(refused.stdout.split("\n")).toContain(`       ${grant.line}`);
    expect(grant.scope).toMatch(new RegExp(`/providers/Microsoft\\.KeyVault/vaults/${newVault}$`));
    const before = await storageClient().storageAccounts.getProperties(state.resourceGroup, "ste2echange");
    expect(before.encryption?.keyVaultProperties?.keyName).toBe("e2e-from");

    // An admin runs the printed line (here through arm-authorization); the same command then goes through.
    await grantRole(state, grant);
    const changed = await runCli([...change, "--wait", "--json", "--timeout", "60"], cliEnv);
    expect(changed.stderr).toBe("");
    const record = JSON.parse(changed.stdout) as {
      id: string;
      status: string;
      targets: Array<{ kind: string; status: string }>;
    };
    expect(record).toMatchObject({
      status: "Completed",
      targets: [{ kind: "storageAccount", status: "Verified" }],
    });
    expect(changed.exitCode).toBe(0);
    const after = await storageClient().storageAccounts.getProperties(state.resourceGroup, "ste2echange");
    expect(after.encryption?.keyVaultProperties).toMatchObject({
      keyVaultUri: expect.stringContaining(new URL(state.keyVaults[newVault]).host) as string,
      keyName: "e2e-to",
      keyVersion: next.properties.version,
    });
    expect((await control("GET", "/storageAccounts/ste2echange/dataAccess")).status).toBe(200);

    const shown = await runCli(["status", record.id, "--key-change"], cliEnv);
    expect(shown.exitCode).toBe(0);
    expect(shown.stdout).toContain(`key change ${record.id}  Completed`);
    expect(shown.stdout).toMatch(/Verified +storageAccount +ste2echange/);
    const found = await runCli(["status", record.id, "--json"], cliEnv);
    expect(JSON.parse(found.stdout)).toMatchObject({
      id: record.id,
      toKeyId: expect.stringMatching(/\/keys\/e2e-to$/) as string,
    });
  });

  it("stops on SIGTERM, removes its state file and leaves no process or port behind", async () => {
    const pid = sandbox.child.pid ?? -1;
    sandbox.child.kill("SIGTERM");
    expect(await sandbox.exited).toBe(0);
    expect(sandbox.output()).toContain("sandbox stopped");
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(statePath)).toBe(false);
    for (const url of [
      state.functionsBaseUrl,
      state.controlUrl,
      state.armEndpoint,
      state.tableEndpoint,
      ...Object.values(state.keyVaults),
    ]) {
      expect(await portIsClosed(url), `${url} still listens`).toBe(true);
    }
  });
});

describe("npm start with a port already taken", () => {
  let blocker: Server;
  beforeAll(async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
  });
  afterAll(() => new Promise<void>((resolve) => blocker.close(() => resolve())));

  it("names the port and the variable to change, and exits non-zero", async () => {
    const port = (blocker.address() as AddressInfo).port;
    const dir = mkdtempSync(join(tmpdir(), "cmk-sandbox-taken-"));
    try {
      const taken = spawnSandbox(["--no-demo"], {
        CMK_SANDBOX_PORTS: "0",
        CMK_SANDBOX_FUNCTIONS_PORT: String(port),
        CMK_SANDBOX_DIR: dir,
      });
      expect(await taken.exited).toBe(1);
      expect(taken.output()).toContain(`port ${port} (function app (local host)) is already in use`);
      expect(taken.output()).toContain("CMK_SANDBOX_FUNCTIONS_PORT");
      expect(existsSync(join(dir, "sandbox.json"))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
