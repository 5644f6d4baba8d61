// The CLI end to end against a small local HTTP server that answers like the function app (docs/http-api.md).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ExitCode } from "../../../cli/exitCodes";
import type { CliIo } from "../../../cli/io";
import { runCli } from "../../../cli/runCli";
import { verifySignature } from "../../../src/lib/signing";

const FUNCTION_KEY = "test-function-key";
const SECRET = "0123456789abcdef0123456789abcdef";

interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  rawBody: string;
}

let server: Server;
let baseUrl: string;
let seen: SeenRequest[] = [];
/** How many status polls answer Running before the rotation completes. */
let pollsUntilDone = 0;
const seenRequestIds = new Set<string>();
let lateRecordMisses = 0;

function reply(res: ServerResponse, status: number, body?: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(body === undefined ? "" : JSON.stringify(body));
}

function handle(req: IncomingMessage, res: ServerResponse, rawBody: string): void {
  const url = new URL(req.url ?? "/", "http://x");
  const route = `${req.method} ${url.pathname}`;
  if (route === "POST /api/revocations" || /^POST \/api\/revocations\/[^/]+\/restore$/.test(route)) {
    const failure = verifySignature(
      SECRET,
      {
        signature: req.headers["x-cmk-signature"] as string,
        timestamp: req.headers["x-cmk-timestamp"] as string,
        rawBody,
      },
      Math.floor(Date.now() / 1000),
    );
    const { requestId } = JSON.parse(rawBody) as { requestId: string };
    if (failure || seenRequestIds.has(requestId)) {
      return reply(res, 401, {
        error: { code: failure ?? "ReplayedRequest", message: `signature refused: ${failure ?? "replay"}` },
      });
    }
    seenRequestIds.add(requestId);
    return reply(res, 202, { id: route.endsWith("restore") ? url.pathname.split("/")[3] : "rev-1" });
  }
  if (req.headers["x-functions-key"] !== FUNCTION_KEY)
    return reply(res, 401, { error: { code: "Unauthorized", message: "function key missing or wrong" } });
  if (route === "POST /api/sweeps") {
    const body = JSON.parse(rawBody) as { reason: string; dryRun?: boolean; vaultName?: string };
    if (body.vaultName === "busy")
      return reply(res, 409, {
        id: "sw-running",
        error: { code: "SweepInProgress", message: "Sweep sw-running is still running." },
      });
    if (body.dryRun)
      return reply(res, 200, {
        dryRun: true,
        wouldRotate: [{ keyId: "https://kv.vault.azure.net/keys/a", action: "Rotate", reason: "Forced." }],
        unchanged: [],
      });
    return reply(res, 202, { id: "sw-1", statusUrl: `${baseUrl}/api/sweeps/sw-1` });
  }
  if (route === "GET /api/sweeps/sw-1") {
    const isDone = pollsUntilDone-- <= 0;
    return reply(res, 200, {
      id: "sw-1",
      status: isDone ? "Completed" : "Running",
      counts: isDone ? { Started: 2 } : { Started: 1, Waiting: 1 },
      waiting: isDone ? [] : ["https://kv.vault.azure.net/keys/b"],
      failed: [],
      startedAt: "2026-01-01T00:00:00Z",
      finishedAt: isDone ? "2026-01-01T00:00:10Z" : null,
    });
  }
  if (route === "POST /api/keyChanges") return answerKeyChange(res, JSON.parse(rawBody) as KeyChangeBody);
  if (route === "GET /api/keyChanges/kc-1") {
    const isDone = pollsUntilDone-- <= 0;
    return reply(res, 200, {
      id: "kc-1",
      fromKeyId: "https://kv.vault.azure.net/keys/cmk",
      toKeyId: "https://kv-eu.vault.azure.net/keys/cmk2",
      strategy: "documented",
      status: isDone ? "Completed" : "Running",
      reason: "vault move",
      targets: [
        { resourceId: "/s/adls1", kind: "storageAccount", status: "Verified", detail: "on cmk2" },
        {
          resourceId: "/providers/Microsoft.BusinessAppPlatform/environments/env-1",
          kind: "powerPlatformEnvironment",
          status: isDone ? "Verified" : "Pending",
          detail: "Production",
        },
      ],
      startedAt: "2026-01-01T00:00:00Z",
      finishedAt: isDone ? "2026-01-01T00:00:30Z" : null,
      oldKeyRetirableAfter: isDone ? "2026-01-31T00:00:30Z" : null,
      ...(isDone ? {} : { progress: { step: "PowerPlatform", moved: 1, total: 2, current: "Production" } }),
    });
  }
  if (route === "POST /api/rotations") {
    const body = JSON.parse(rawBody) as { keyId: string; dryRun?: boolean };
    if (body.keyId.endsWith("/busy"))
      return reply(res, 409, {
        id: "rot-running",
        error: { code: "RotationRunning", message: "a rotation of this key is already running" },
      });
    if (body.keyId.includes("unknownvault"))
      return reply(res, 400, {
        error: { code: "VaultNotAllowed", message: "vault unknownvault is not on the allow-list" },
      });
    if (body.keyId.endsWith("/late")) return reply(res, 202, { id: "rot-late" });
    if (body.dryRun)
      return reply(res, 200, {
        keyId: body.keyId,
        newVersion: "(new)",
        targets: [{ kind: "storageAccount", action: "patch keyversion" }],
      });
    return reply(res, 202, { id: "rot-1", statusQueryGetUri: "http://x/status" });
  }
  if (route === "GET /api/rotations/rot-1") {
    const isDone = pollsUntilDone-- <= 0;
    return reply(res, 200, {
      id: "rot-1",
      keyId: "https://kv.vault.azure.net/keys/cmk",
      status: isDone ? "PartiallyApplied" : "Running",
      targets: [
        {
          kind: "storageAccount",
          resourceId: "/s/adls1",
          mode: "pinned",
          status: isDone ? "Verified" : "Applying",
        },
      ],
    });
  }
  if (route === "GET /api/rotations/rot-late") {
    // The record is written a moment after the 202, as a durable start can be.
    if (lateRecordMisses-- > 0)
      return reply(res, 404, { error: { code: "NotFound", message: "No rotation has id rot-late." } });
    return reply(res, 200, { id: "rot-late", status: "Completed", targets: [] });
  }
  if (route === "GET /api/rotations/rev-1")
    return reply(res, 404, { error: { code: "NotFound", message: "no rotation rev-1" } });
  if (route === "GET /api/revocations/rev-1")
    return reply(res, 200, {
      id: "rev-1",
      status: "Revoked",
      versions: [{ version: "v1", state: "Disabled" }],
    });
  if (route === "GET /api/keys/kv/cmk/history")
    return reply(res, 200, {
      value: [{ id: "rot-1", kind: "rotation", status: "Completed", top: url.searchParams.get("top") }],
    });
  if (route === "PUT /api/bindings/kv/cmk") return reply(res, 200, JSON.parse(rawBody));
  if (route === "GET /api/bindings") return reply(res, 200, { value: [] });
  return reply(res, 404, { error: { code: "NotFound", message: `no route ${route}` } });
}

interface KeyChangeBody {
  fromKeyId: string;
  toKeyId: string;
  dryRun?: boolean;
}

const GRANT_LINE =
  'az role assignment create --assignee-object-id 1111 --assignee-principal-type ServicePrincipal --role "Key Vault Crypto Service Encryption User" --scope /subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-eu';

function answerKeyChange(res: ServerResponse, body: KeyChangeBody): void {
  const plan = {
    fromKeyId: body.fromKeyId,
    toKeyId: body.toKeyId,
    strategy: "documented",
    toVersion: "v9",
    storageAccounts: [{ resourceId: "/s/adls1", mode: "pinned", isRegistered: true }],
    policies: [],
    skipped: [],
    warnings: [],
    steps: ["PATCH adls1"],
    findings: body.toKeyId.endsWith("/norole")
      ? [
          {
            resourceId: "/s/adls1",
            code: "MissingKeyAccess",
            message: `Storage account adls1's identity (principal 1111) cannot use norole in kv-eu. Run: ${GRANT_LINE}`,
          },
        ]
      : [],
  };
  if (body.fromKeyId.endsWith("/busy"))
    return reply(res, 409, {
      error: { code: "KeyChangeInProgress", message: "Key change kc-running involving kv/busy is running." },
      id: "kc-running",
    });
  if (body.dryRun) return reply(res, 200, { dryRun: true, ...plan });
  if (plan.findings.length > 0)
    return reply(res, 409, {
      error: { code: "PreflightFailed", message: "Preflight found 1 problem(s); nothing was changed." },
      findings: plan.findings,
      plan,
    });
  return reply(res, 202, {
    id: "kc-1",
    instanceId: "keychange-x",
    statusUrl: `${baseUrl}/api/keyChanges/kc-1`,
  });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const rawBody = Buffer.concat(chunks).toString("utf8");
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, rawBody });
      handle(req, res, rawBody);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  seen = [];
  pollsUntilDone = 0;
});

async function cli(argv: string[], options: { isTty?: boolean; env?: NodeJS.ProcessEnv } = {}) {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text), isTTY: options.isTty ?? false },
    env: options.env ?? {
      CMK_BASE_URL: baseUrl,
      CMK_FUNCTION_KEY: FUNCTION_KEY,
      CMK_REVOCATION_SECRET: SECRET,
      CMK_SANDBOX_DIR: "/nonexistent",
    },
    cwd: "/",
    sleep: () => Promise.resolve(),
  };
  const exitCode = await runCli(argv, io);
  return { exitCode, stdout, stderr };
}

describe("cmk-rotator sweep", () => {
  it("starts a forced sweep of one vault and waits with a progress line", async () => {
    pollsUntilDone = 1;
    const result = await cli(["sweep", "--vault", "kv", "--force", "--wait", "--reason", "leak"], {
      isTty: true,
    });
    expect(result.exitCode).toBe(ExitCode.Ok);
    expect(JSON.parse(seen[0].rawBody)).toEqual({ reason: "leak", vaultName: "kv", force: true });
    expect(result.stderr).toContain(
      "\r\x1b[Ksweep sw-1: Running · keys Started 1, Waiting 1 · 1 waiting · 0 failed",
    );
    expect(result.stderr).toContain("sweep sw-1: Completed · keys Started 2 · 0 waiting · 0 failed");
    expect(result.stdout).toContain("sweep sw-1: Completed");
  });

  it("prints the dry-run plan, and exits 4 with the running id when a sweep is running", async () => {
    const plan = await cli(["sweep", "--dry-run", "--force", "--reason", "drill"]);
    expect(plan.exitCode).toBe(ExitCode.Ok);
    expect(plan.stdout).toContain("dry run: 1 to rotate, 0 unchanged");
    const busy = await cli(["sweep", "--vault", "busy", "--reason", "again"]);
    expect(busy.exitCode).toBe(ExitCode.Conflict);
    expect(busy.stderr).toContain("sw-running");
  });

  it("needs a reason", async () => {
    const result = await cli(["sweep", "--force"]);
    expect(result.exitCode).toBe(ExitCode.Usage);
  });
});

describe("cmk-rotator change-key", () => {
  it("posts both key ids, the reason, strategy and targets, and waits with step, moved/total and the environment", async () => {
    pollsUntilDone = 1;
    const result = await cli(
      [
        "change-key",
        "kv/cmk",
        "https://kv-eu.vault.azure.net/keys/cmk2",
        "--reason",
        "vault move",
        "--strategy",
        "direct",
        "--target",
        "/s/adls1",
        "--wait",
      ],
      { isTty: true },
    );
    expect(result.exitCode).toBe(ExitCode.Ok);
    expect(JSON.parse(seen[0].rawBody)).toEqual({
      fromKeyId: "https://kv.vault.azure.net/keys/cmk",
      toKeyId: "https://kv-eu.vault.azure.net/keys/cmk2",
      reason: "vault move",
      strategy: "direct",
      targets: ["/s/adls1"],
    });
    expect(result.stderr).toContain(
      "\r\x1b[Kkey change kc-1: Running · step PowerPlatform · 1/2 moved · now Production",
    );
    expect(result.stderr).toContain("key change kc-1: Completed · 2/2 moved");
    expect(result.stdout).toContain("key change kc-1  Completed");
    expect(result.stdout).toMatch(/Verified +powerPlatformEnvironment +env-1 +Production/);
  });

  it("starts without --wait and says how to follow it; status --key-change and a bare status find it", async () => {
    const started = await cli(["change-key", "kv/cmk", "kv-eu/cmk2", "--reason", "x"]);
    expect(started.exitCode).toBe(ExitCode.Ok);
    expect(started.stdout).toContain("key change kc-1 started");
    expect(started.stdout).toContain("cmk-rotator status kc-1 --key-change --wait");
    const shown = await cli(["status", "kc-1", "--key-change", "--json"]);
    expect(shown.exitCode).toBe(ExitCode.Ok);
    expect(JSON.parse(shown.stdout)).toMatchObject({ id: "kc-1", status: "Completed" });
    const found = await cli(["status", "kc-1"]);
    expect(found.stdout).toContain("key change kc-1  Completed");
    expect(seen.slice(-4).map((request) => request.url)).toEqual([
      "/api/rotations/kc-1",
      "/api/revocations/kc-1",
      "/api/keyChanges/kc-1",
      "/api/keyChanges/kc-1",
    ]);
  });

  it("prints the dry-run plan", async () => {
    const result = await cli(["change-key", "kv/cmk", "kv-eu/cmk2", "--reason", "x", "--dry-run"]);
    expect(result.exitCode).toBe(ExitCode.Ok);
    expect(JSON.parse(seen[0].rawBody)).toMatchObject({ dryRun: true });
    expect(result.stdout).toContain("dry run: nothing was changed");
    expect(result.stdout).toContain("preflight: ok, the change can start");
  });

  it("exits 8 on a refused preflight, printing each finding and its az line alone on a line", async () => {
    const result = await cli(["change-key", "kv/cmk", "kv-eu/norole", "--reason", "x", "--wait"]);
    expect(result.exitCode).toBe(ExitCode.PreflightFailed);
    expect(result.stdout).toContain("1. MissingKeyAccess  /s/adls1");
    expect(result.stdout.split("\n")).toContain(`       ${GRANT_LINE}`);
    expect(result.stderr).toBe("cmk-rotator: Preflight found 1 problem(s); nothing was changed.\n");
    expect(seen).toHaveLength(1);
    const json = await cli(["change-key", "kv/cmk", "kv-eu/norole", "--reason", "x", "--json"]);
    expect(json.exitCode).toBe(ExitCode.PreflightFailed);
    expect(JSON.parse(json.stdout)).toMatchObject({
      error: { code: "PreflightFailed" },
      findings: [{ code: "MissingKeyAccess" }],
    });
  });

  it("exits 4 with the running change's id when one runs", async () => {
    const result = await cli(["change-key", "kv/busy", "kv-eu/cmk2", "--reason", "x"]);
    expect(result.exitCode).toBe(ExitCode.Conflict);
    expect(result.stderr).toContain("it is kc-running; follow it with: cmk-rotator status kc-running --wait");
  });
});

describe("cmk-rotator against an HTTP API", () => {
  it("starts a rotation with the function key and prints its id", async () => {
    const result = await cli(["rotate", "https://kv.vault.azure.net/keys/cmk", "--reason", "drill"]);
    expect(result.exitCode).toBe(ExitCode.Ok);
    expect(result.stdout).toContain("rotation rot-1 started");
    expect(seen[0].headers["x-functions-key"]).toBe(FUNCTION_KEY);
    expect(JSON.parse(seen[0].rawBody)).toEqual({
      keyId: "https://kv.vault.azure.net/keys/cmk",
      reason: "drill",
    });
  });

  it("waits with progress on a TTY and exits 1 when the rotation is only partially applied", async () => {
    pollsUntilDone = 2;
    const result = await cli(["rotate", "kv/cmk", "--wait"], { isTty: true });
    expect(result.exitCode).toBe(ExitCode.Failed);
    expect(result.stderr).toContain(
      "\r\x1b[Krotation rot-1: Running · targets 0/1 done (storageAccount: Applying)",
    );
    expect(result.stderr).toContain("rotation rot-1: PartiallyApplied · targets 1/1 done");
    expect(result.stdout).toContain("rotation rot-1  PartiallyApplied");
    expect(seen.filter((request) => request.method === "GET")).toHaveLength(3);
  });

  it("prints no progress when stderr is not a TTY, and JSON with --json", async () => {
    pollsUntilDone = 1;
    const result = await cli(["rotate", "kv/cmk", "--wait", "--json"]);
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toMatchObject({ id: "rot-1", status: "PartiallyApplied" });
  });

  it("gives up after --timeout with exit code 7", async () => {
    pollsUntilDone = 1_000_000;
    const result = await cli(["status", "rot-1", "--rotation", "--wait", "--timeout", "0.001"]);
    expect(result.exitCode).toBe(ExitCode.TimedOut);
    expect(result.stderr).toMatch(/still Running after 0.001 s/);
  });

  it("keeps waiting through a 404 right after the rotation was accepted", async () => {
    lateRecordMisses = 2;
    const result = await cli(["rotate", "kv/late", "--wait", "--json"]);
    expect(result.exitCode).toBe(ExitCode.Ok);
    expect(JSON.parse(result.stdout)).toMatchObject({ id: "rot-late", status: "Completed" });
    expect(seen.filter((request) => request.url === "/api/rotations/rot-late")).toHaveLength(3);
  });

  it("prints a dry-run plan", async () => {
    const result = await cli(["rotate", "kv/cmk", "--dry-run"]);
    expect(result.exitCode).toBe(ExitCode.Ok);
    expect(result.stdout).toContain("dry run: nothing was changed");
    expect(JSON.parse(seen[0].rawBody)).toMatchObject({ dryRun: true });
  });

  it.each([
    [["rotate", "kv/busy"], ExitCode.Conflict, /already running \(running rotation: rot-running/],
    [["rotate", "unknownvault/cmk"], ExitCode.Usage, /not on the allow-list/],
    [
      ["status", "nothing-here"],
      ExitCode.NotFound,
      /no rotation, revocation or key change with id "nothing-here"/,
    ],
  ])("%j → exit %i with the server's message", async (argv, exitCode, message) => {
    const result = await cli(argv);
    expect(result.exitCode).toBe(exitCode);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/at .*\.ts:/);
  });

  it("exits 5 when the function key is wrong", async () => {
    const result = await cli(["bindings", "list", "--function-key", "wrong"]);
    expect(result.exitCode).toBe(ExitCode.Auth);
    expect(result.stderr).toContain("function key missing or wrong");
  });

  it("exits 6 when the app is unreachable", async () => {
    const result = await cli(["bindings", "list", "--base-url", "http://127.0.0.1:9"]);
    expect(result.exitCode).toBe(ExitCode.Unreachable);
    expect(result.stderr).toMatch(/cannot reach the function app at http:\/\/127.0.0.1:9/);
  });

  it("finds a revocation by id and renders its versions", async () => {
    const result = await cli(["status", "rev-1"]);
    expect(result.exitCode).toBe(ExitCode.Ok);
    expect(result.stdout).toMatch(/revocation rev-1 {2}Revoked/);
    expect(result.stdout).toMatch(/v1\s+Disabled/);
  });

  it("signs revoke and restore with a fresh requestId each time", async () => {
    const revoked = await cli(["revoke", "kv/cmk", "--reason", "key leaked"]);
    expect(revoked.exitCode).toBe(ExitCode.Ok);
    const restored = await cli(["restore", "rev-1", "--reason", "all clear"]);
    expect(restored.exitCode).toBe(ExitCode.Ok);
    const [revokeRequest, restoreRequest] = seen;
    expect(revokeRequest.headers["x-cmk-signature"]).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(JSON.parse(revokeRequest.rawBody)).toMatchObject({
      keyId: "https://kv.vault.azure.net/keys/cmk",
      reason: "key leaked",
    });
    expect(JSON.parse(revokeRequest.rawBody).requestId).not.toBe(
      JSON.parse(restoreRequest.rawBody).requestId,
    );
  });

  it("reports a refused signature as an auth failure", async () => {
    const result = await cli([
      "revoke",
      "kv/cmk",
      "--reason",
      "x",
      "--revocation-secret",
      "wrong-secret-wrong-secret-wrong-secret",
    ]);
    expect(result.exitCode).toBe(ExitCode.Auth);
    expect(result.stderr).toContain("signature refused: SignatureMismatch");
    const again = await cli(["revoke", "kv/cmk", "--reason", "x", "--request-id", "fixed"]);
    expect(again.exitCode).toBe(ExitCode.Ok);
    const replay = await cli(["revoke", "kv/cmk", "--reason", "x", "--request-id", "fixed"]);
    expect(replay.exitCode).toBe(ExitCode.Auth);
  });

  it("refuses to revoke without a secret", async () => {
    const result = await cli(["revoke", "kv/cmk", "--reason", "x"], {
      env: { CMK_BASE_URL: baseUrl, CMK_SANDBOX_DIR: "/nonexistent" },
    });
    expect(result.exitCode).toBe(ExitCode.Auth);
    expect(result.stderr).toMatch(/--revocation-secret or set CMK_REVOCATION_SECRET/);
    expect(seen).toHaveLength(0);
  });

  it("passes --top to history and PUTs bindings built from flags", async () => {
    expect((await cli(["history", "kv/cmk", "--top", "3"])).exitCode).toBe(ExitCode.Ok);
    expect(seen[0].url).toBe("/api/keys/kv/cmk/history?top=3");
    const set = await cli([
      "bindings",
      "set",
      "kv/cmk",
      "--target",
      "storageAccount:pinned:/s/adls1",
      "--rotate-every",
      "P90D",
    ]);
    expect(set.exitCode).toBe(ExitCode.Ok);
    expect(JSON.parse(seen[1].rawBody)).toEqual({
      targets: [{ kind: "storageAccount", resourceId: "/s/adls1", mode: "pinned" }],
      policy: { rotateEvery: "P90D" },
    });
    expect(set.stdout).toMatch(/storageAccount\s+pinned\s+\/s\/adls1/);
  });
});
