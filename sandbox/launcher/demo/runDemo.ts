// Runs the demo scenario once with readable progress: near-expiry rotation, on-demand rotation, emergency
// revocation and restore, discovery, a change to a key in another vault, then a summary table. Steps whose
// routes the app does not serve are reported as not available yet.
import type { ApiClient } from "../../../cli/apiClient";
import type { GlobalOptions } from "../../../cli/commandLine";
import type { CliIo } from "../../../cli/io";
import { renderConsumerTable, renderRevocation, renderRotation } from "../../../cli/render";
import { runCli } from "../../../cli/runCli";
import { JUST_STARTED_GRACE_MS, waitForOutcome } from "../../../cli/waitForOutcome";
import type { RunningSandbox } from "../startSandbox";
import { appClient, appServes, vaultClient } from "./demoClients";
import { changeToKeyInRbacVault } from "./keyChangeStep";
import type { DemoEstate } from "./seedDemoEstate";
import { renderDemoSummary } from "./demoSummary";

const DAY_MS = 86_400_000;
const WAIT_OPTIONS: GlobalOptions = {
  isJson: false,
  progress: "always",
  timeoutSeconds: 120,
  pollIntervalSeconds: 0.5,
};

type Log = (line: string) => void;

export async function runDemo(sandbox: RunningSandbox, estate: DemoEstate, log: Log): Promise<void> {
  const api = appClient(sandbox.state);
  // Progress lines go to stdout with the rest of the demo (redrawn in place on a terminal).
  const progress = {
    isTTY: process.stdout.isTTY,
    // Indented like the demo's other lines; on a terminal the line is redrawn after "\r\x1b[K".
    write: (text: string) =>
      process.stdout.write(text.startsWith("\r") ? text.replace("\x1b[K", "\x1b[K   ") : `   ${text}`),
  };
  const io: CliIo = { stdout: process.stdout, stderr: progress, env: process.env, cwd: process.cwd() };
  const outcomes: Record<string, string> = {};
  const indent = (text: string) => text.replace(/^/gm, "    ");
  log("");
  log("demo: the product at work (the virtual clock moves; nothing waits for real days)");

  const step = (title: string, routes: Array<[string, string]>, run: () => Promise<string>) =>
    runStep(sandbox, log, outcomes, title, routes, run);

  await step(
    "1. near-expiry event -> rotation",
    [
      ["GET", "keys/v/k/history"],
      ["GET", "rotations/id"],
    ],
    async () => {
      const key = await vaultKey(sandbox, estate);
      const expiresOnMs = key.properties.expiresOn?.getTime() ?? sandbox.clock.now() + 45 * DAY_MS;
      const jumpMs = Math.max(0, expiresOnMs - 30 * DAY_MS - sandbox.clock.now() + 60_000);
      log(
        `   advancing the virtual clock ${(jumpMs / DAY_MS).toFixed(1)} days to the near-expiry point of ${estate.primaryKey.keyName}`,
      );
      await sandbox.clock.advance(jumpMs);
      await sandbox.keyVault.waitForDeliveries();
      const deliveries = sandbox.keyVault
        .listDeliveries(estate.primaryKey.vaultName)
        .filter((d) => d.eventType.endsWith("KeyNearExpiry"));
      log(
        `   Event Grid delivered ${deliveries.length} KeyNearExpiry event(s): ${deliveries.map((d) => d.outcome).join(", ") || "none"}`,
      );
      await sandbox.host.whenIdle(30_000);
      const latest = await latestRecordId(api, estate);
      if (!latest) return "no rotation recorded for the event";
      const record = await follow(api, io, "rotation", latest);
      log(indent(renderRotation(record)));
      return statusText(record);
    },
  );

  await step(
    "2. on-demand rotation",
    [
      ["POST", "rotations"],
      ["GET", "rotations/id"],
    ],
    async () => {
      const started = await api.post("/api/rotations", {
        keyId: estate.primaryKey.keyId,
        reason: "demo: on-demand rotation",
      });
      const record = await follow(api, io, "rotation", idOf(started.body));
      log(indent(renderRotation(record)));
      return statusText(record);
    },
  );

  let revocationId: string | undefined;
  await step(
    "3. emergency revocation",
    [
      ["POST", "revocations"],
      ["GET", "revocations/id"],
    ],
    async () => {
      const accepted = await api.postSigned("/api/revocations", {
        keyId: estate.primaryKey.keyId,
        reason: "demo: suspected key compromise",
      });
      revocationId = idOf(accepted.body);
      const record = await follow(api, io, "revocation", revocationId);
      log(indent(renderRevocation(record)));
      await logConsumers(sandbox, estate, log);
      return statusText(record);
    },
  );

  await step(
    "4. restore",
    [
      ["POST", "revocations/id/restore"],
      ["GET", "revocations/id"],
    ],
    async () => {
      if (!revocationId) return "skipped: no revocation to restore";
      const id = revocationId;
      await api.postSigned(`/api/revocations/${encodeURIComponent(id)}/restore`, {
        reason: "demo: all clear",
      });
      const record = await follow(
        api,
        io,
        "revocation",
        id,
        (r) => !/^(Running|Pending|Revoked|Restoring)$/i.test(statusText(r)),
      );
      log(indent(renderRevocation(record)));
      await logConsumers(sandbox, estate, log);
      return statusText(record);
    },
  );

  await step(
    "5. discovery: a consumer nobody registered",
    [
      ["GET", "keys/v/k/consumers"],
      ["POST", "rotations"],
    ],
    async () => {
      const path = `/api/keys/${estate.primaryKey.vaultName}/${estate.primaryKey.keyName}/consumers`;
      const consumers = (await api.get(path)).body;
      log(indent(renderConsumerTable(consumers)));
      const stray = (
        (consumers as { value?: Array<{ resourceId: string; versionInUse?: string }> }).value ?? []
      ).find((row) => row.resourceId === estate.unregisteredStorageAccount.id);
      const started = await api.post("/api/rotations", {
        keyId: estate.primaryKey.keyId,
        reason: "demo: rotation with an unregistered consumer",
      });
      const record = await follow(api, io, "rotation", idOf(started.body));
      log(indent(renderRotation(record)));
      log("   advancing the virtual clock 31 days: retirement is due (retireAfter P30D)");
      await sandbox.clock.advance(31 * DAY_MS);
      await sandbox.host.whenIdle(60_000);
      const pinned = stray?.versionInUse;
      const kept = pinned ? await isEnabled(sandbox, estate, pinned) : false;
      log(
        kept
          ? `   retirement kept version ${pinned} enabled: ${estate.unregisteredStorageAccount.name} (Unregistered) still uses it`
          : `   version ${pinned ?? "-"} was disabled`,
      );
      return kept ? "old version kept for the unregistered consumer" : "old version disabled";
    },
  );

  await step(
    "6. discover --register",
    [
      ["GET", "keys/v/k/consumers"],
      ["PUT", "bindings/v/k"],
    ],
    async () => {
      const keyPath = `${estate.primaryKey.vaultName}/${estate.primaryKey.keyName}`;
      log(`   cmk-rotator discover ${keyPath} --register`);
      const output: string[] = [];
      const exitCode = await runCli(
        [
          "discover",
          keyPath,
          "--register",
          "--base-url",
          sandbox.state.functionsBaseUrl,
          "--function-key",
          sandbox.state.functionKey,
        ],
        { ...io, stdout: { write: (text: string) => output.push(text) } },
      );
      log(indent(output.join("").trimEnd()));
      return exitCode === 0 ? "registered" : `exit code ${exitCode}`;
    },
  );

  // Last: it moves every consumer off ci-data-cmk, which the steps above rotate, revoke and discover.
  await step(
    `7. change ${estate.primaryKey.keyName} to a new key in ${estate.secondKey.vaultName} (Azure RBAC)`,
    [
      ["POST", "keyChanges"],
      ["GET", "keyChanges/id"],
    ],
    () => changeToKeyInRbacVault(sandbox, estate, io, log),
  );

  log("");
  log(await renderDemoSummary(sandbox, outcomes));
}

async function runStep(
  sandbox: RunningSandbox,
  log: Log,
  outcomes: Record<string, string>,
  title: string,
  routes: Array<[string, string]>,
  run: () => Promise<string>,
): Promise<void> {
  log("");
  log(title);
  const missing = routes.filter(([method, path]) => !appServes(sandbox.host, method, path));
  if (missing.length > 0) {
    outcomes[title] = "not available yet";
    log(
      `   not available yet: the app serves no ${missing.map(([method, path]) => `${method} /api/${path}`).join(", ")}`,
    );
    return;
  }
  try {
    outcomes[title] = await run();
  } catch (error) {
    outcomes[title] = "failed";
    log(`   failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Listing, not GET: Key Vault refuses to read a disabled version. */
async function isEnabled(sandbox: RunningSandbox, estate: DemoEstate, version: string): Promise<boolean> {
  const keys = vaultClient(sandbox.state.keyVaults[estate.primaryKey.vaultName]);
  for await (const properties of keys.listPropertiesOfKeyVersions(estate.primaryKey.keyName)) {
    if (properties.version === version) return properties.enabled === true;
  }
  return false;
}

function vaultKey(sandbox: RunningSandbox, estate: DemoEstate) {
  return vaultClient(sandbox.state.keyVaults[estate.primaryKey.vaultName]).getKey(estate.primaryKey.keyName);
}

async function latestRecordId(api: ApiClient, estate: DemoEstate): Promise<string | undefined> {
  const history = await api.get(
    `/api/keys/${estate.primaryKey.vaultName}/${estate.primaryKey.keyName}/history?top=1`,
  );
  const [latest] = ((history.body as { value?: Array<{ id?: string }> } | undefined)?.value ?? []).filter(
    (r) => r.id,
  );
  return latest?.id;
}

function follow(
  api: ApiClient,
  io: CliIo,
  what: "rotation" | "revocation",
  id: string,
  isDone?: (record: unknown) => boolean,
) {
  const path = `/api/${what}s/${encodeURIComponent(id)}`;
  return waitForOutcome(
    {
      what,
      id,
      fetchRecord: async () => (await api.get(path)).body,
      isDone,
      notFoundGraceMs: JUST_STARTED_GRACE_MS,
    },
    WAIT_OPTIONS,
    io,
  );
}

async function logConsumers(sandbox: RunningSandbox, estate: DemoEstate, log: Log): Promise<void> {
  const access = await sandbox.arm.dataAccess(estate.storageAccount.name);
  log(
    `   storage ${estate.storageAccount.name}: data access ${access.status}${access.error ? ` (${access.error.code})` : ""}`,
  );
  for (const environment of await sandbox.arm.environments()) {
    log(
      `   environment ${environment.displayName}: ${environment.state}, policy ${environment.policy?.healthStatus ?? "-"}`,
    );
  }
}

function idOf(body: unknown): string {
  const id = (body as { id?: unknown } | undefined)?.id;
  if (typeof id !== "string") throw new Error("the app answered without an id");
  return id;
}

function statusText(record: unknown): string {
  const { status, state } = (record ?? {}) as { status?: unknown; state?: unknown };
  return typeof status === "string" ? status : typeof state === "string" ? state : "unknown";
}
