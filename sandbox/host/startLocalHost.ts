// Starts the local Functions + Durable host: loads the compiled app, serves its HTTP, Event Grid and timer triggers,
// and runs its orchestrations and activities, all on one virtual clock.
import { sharedClock, type VirtualClock } from "../clock";
import { applySettings } from "./appSettings";
import {
  durableClientInputData,
  DURABLE_RPC_PATH,
  DURABLE_WEBHOOK_PATH,
  type DurableEndpoints,
} from "./durable/clientBinding";
import { createDurableHttpApiHandler } from "./durable/durableHttpApi";
import { createDurableStore, type DurableStore } from "./durable/instanceStore";
import { OrchestrationEngine } from "./durable/orchestrationEngine";
import type { AtLeastOnceMode } from "./durable/activityRunner";
import type { OrchestrationStatus } from "./durable/statusPayload";
import { createEventGridWebhookHandler, EVENT_GRID_WEBHOOK_PATH } from "./eventGrid/eventGridWebhook";
import { defaultAppEntry, defaultHostJsonPath, readHostJson } from "./hostConfig";
import { printProblems, type HostLogger } from "./hostLog";
import { generateKey, type HostKeys } from "./http/functionKeys";
import { sendError, sendJson } from "./http/hostResponses";
import { startListener, type RequestHandler, type RunningListener } from "./http/hostServer";
import { createHttpTriggerHandler } from "./http/httpTriggers";
import { TimerTriggers } from "./timers/timerTriggers";
import { buildCatalog, describeFunction, type FunctionInfo } from "./worker/functionCatalog";
import { FunctionInvoker } from "./worker/invokeFunction";
import { loadApp } from "./worker/loadApp";

/** Azure's HTTP request length limit (100 MB). */
const AZURE_MAX_REQUEST_BODY_BYTES = 104_857_600;

export interface LocalHostOptions {
  /** Absolute path of the compiled CommonJS entry that registers the functions (default: package.json "main"). */
  appEntry?: string;
  /** App settings, applied to process.env before the app loads and restored on stop. */
  settings?: Record<string, string>;
  /** Port of the public endpoint (default 0 = any free port) and the interface to bind (default 127.0.0.1). */
  port?: number;
  host?: string;
  clock?: VirtualClock;
  /** Keys; generated when absent. */
  functionKey?: string;
  systemKey?: string;
  masterKey?: string;
  atLeastOnce?: AtLeastOnceMode;
  /** Task hub state; pass the store of a stopped host to resume its instances (restart). */
  durableStore?: DurableStore;
  maxRequestBodyBytes?: number;
  /** host.json to read routePrefix, hubName and activity concurrency from. */
  hostJsonPath?: string;
  log?: HostLogger;
  /** Longest real time a clock step waits for the durable work it triggered to settle (default 10 s). */
  settleTimeoutMs?: number;
  /** More folders whose modules are reloaded with the app on every start. */
  reloadFolders?: string[];
}

export interface LocalHost {
  /** Public origin, e.g. http://127.0.0.1:51234 (functions under /api, webhooks under /runtime/webhooks). */
  baseUrl: string;
  port: number;
  functionKey: string;
  systemKey: string;
  masterKey: string;
  taskHubName: string;
  /** Loopback endpoint the durable client binding calls (like the extension's local RPC endpoint). */
  rpcBaseUrl: string;
  /** What the app registered, read from its own app.* / df.app.* calls. */
  functions: FunctionInfo[];
  durableStore: DurableStore;
  eventGridWebhookUrl(functionName: string): string;
  getStatus(instanceId: string): OrchestrationStatus | undefined;
  /** Calls `listener` with each new custom status the instance stores; returns the function that stops it. */
  onCustomStatus(instanceId: string, listener: (customStatus: unknown) => void): () => void;
  waitForInstance(instanceId: string, options?: { timeoutMs?: number }): Promise<OrchestrationStatus>;
  /** Resolves when no orchestration episode, activity or message is outstanding (bounded by `maxWaitMs`). */
  whenIdle(maxWaitMs?: number): Promise<void>;
  setAtLeastOnce(mode: AtLeastOnceMode): void;
  /**
   * Makes every orchestration start fail (default 503) as when the task hub's storage is unavailable, until called
   * with `undefined`; running instances go on.
   */
  failOrchestrationStarts(fault: { status?: number; message?: string } | undefined): void;
  /**
   * Makes every instance status read and query through the Durable HTTP API fail (default 500, as Azure
   * Storage errors surface), until called with `undefined`; starts and running instances go on.
   */
  failStatusReads(fault: { status?: number; message?: string } | undefined): void;
  /** Next due time of every timer function (ISO). */
  nextTimerOccurrences(): Record<string, string | undefined>;
  stop(): Promise<void>;
}

export async function startLocalHost(options: LocalHostOptions = {}): Promise<LocalHost> {
  const clock = options.clock ?? sharedClock;
  const log = options.log ?? printProblems;
  const appEntry = options.appEntry ?? defaultAppEntry();
  const hostJson = readHostJson(options.hostJsonPath ?? defaultHostJsonPath(appEntry));
  const keys: HostKeys = {
    functionKey: options.functionKey ?? generateKey(),
    systemKey: options.systemKey ?? generateKey(),
    masterKey: options.masterKey ?? generateKey(),
  };
  const host = options.host ?? "127.0.0.1";
  let atLeastOnce: AtLeastOnceMode = options.atLeastOnce ?? "off";
  let isReady = false;
  const handlers: RequestHandler[] = [
    (_req, res) => {
      if (isReady) return Promise.resolve(false);
      sendError(res, 503, "HostStarting", "The local host is still loading the app.");
      return Promise.resolve(true);
    },
  ];
  const rpcHandlers: RequestHandler[] = [];
  const cleanups: Array<() => unknown> = [];
  const runCleanups = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    cleanups.length = 0;
  };

  try {
    const maxRequestBodyBytes = options.maxRequestBodyBytes ?? AZURE_MAX_REQUEST_BODY_BYTES;
    const listener: RunningListener = await startListener({
      host,
      port: options.port ?? 0,
      maxRequestBodyBytes,
      handlers,
      log,
    });
    cleanups.push(() => listener.close());
    const rpcListener = await startListener({
      host: "127.0.0.1",
      port: 0,
      maxRequestBodyBytes,
      handlers: rpcHandlers,
      log,
    });
    cleanups.push(() => rpcListener.close());

    // WEBSITE_HOSTNAME is what the Functions host sets; durable-functions builds management URLs from it.
    const settings = {
      WEBSITE_HOSTNAME: `${host}:${listener.port}`,
      FUNCTIONS_WORKER_RUNTIME: "node",
      ...options.settings,
    };
    const applied = applySettings(settings);
    cleanups.push(() => applied.restore());

    const registrations = await loadApp(
      appEntry,
      (level, category, message) => log({ level, category, message }),
      options.reloadFolders,
    );
    const catalog = buildCatalog(registrations.functions);
    const endpoints: DurableEndpoints = {
      baseUrl: listener.baseUrl,
      rpcBaseUrl: `${rpcListener.baseUrl}${DURABLE_RPC_PATH}`,
      taskHubName: hostJson.taskHubName,
      systemKey: keys.systemKey,
    };
    const clientData = JSON.stringify(durableClientInputData(endpoints));
    // Every function with a durable client input binding gets the client data, whatever its trigger.
    const invoker = new FunctionInvoker(registrations, log, (entry) =>
      Object.fromEntries(entry.durableClientInputs.map((name) => [name, { string: clientData }])),
    );
    const store = options.durableStore ?? createDurableStore();
    let statusReadFault: { status: number; message: string } | undefined;
    const engine = new OrchestrationEngine({
      store,
      functions: catalog,
      invoker,
      clock,
      log,
      maxConcurrentActivities: hostJson.maxConcurrentActivityFunctions,
      atLeastOnce: () => atLeastOnce,
      settleTimeoutMs: options.settleTimeoutMs ?? 10_000,
    });
    const timers = new TimerTriggers({
      functions: catalog,
      settings: process.env,
      clock,
      invoker,
      log,
      afterOccurrence: () => engine.whenIdle(),
    });

    handlers.push(
      createHttpTriggerHandler({
        routePrefix: hostJson.routePrefix,
        functions: catalog,
        keys,
        invoker,
        log,
      }),
      createEventGridWebhookHandler({ functions: catalog, keys, invoker, log }),
      createDurableHttpApiHandler({
        engine,
        endpoints,
        keys,
        basePath: DURABLE_WEBHOOK_PATH,
        requiresKey: true,
        statusReadFault: () => statusReadFault,
      }),
      (req, res) => {
        // The host's own liveness endpoints.
        if (req.url.pathname !== "/" && req.url.pathname.toLowerCase() !== "/admin/host/ping")
          return Promise.resolve(false);
        sendJson(res, 200, { state: "Running" });
        return Promise.resolve(true);
      },
    );
    rpcHandlers.push(
      createDurableHttpApiHandler({
        engine,
        endpoints,
        keys,
        basePath: DURABLE_RPC_PATH,
        requiresKey: false,
        statusReadFault: () => statusReadFault,
      }),
    );

    await invoker.runAppHooks("appStart", appEntry);
    engine.start();
    timers.start();
    const unsubscribe = clock.onAdvance(() => engine.whenIdle());
    cleanups.push(async () => {
      unsubscribe();
      timers.stop();
      await engine.stop(5000);
      await invoker.runAppHooks("appTerminate", appEntry);
    });
    isReady = true;

    let isStopped = false;
    return {
      baseUrl: listener.baseUrl,
      port: listener.port,
      ...keys,
      taskHubName: hostJson.taskHubName,
      rpcBaseUrl: endpoints.rpcBaseUrl,
      functions: catalog.map(describeFunction),
      durableStore: store,
      eventGridWebhookUrl: (functionName) =>
        `${listener.baseUrl}${EVENT_GRID_WEBHOOK_PATH}?functionName=${encodeURIComponent(functionName)}&code=${keys.systemKey}`,
      getStatus: (instanceId) => engine.getStatus(instanceId),
      onCustomStatus: (instanceId, listener) => engine.onCustomStatus(instanceId, listener),
      waitForInstance: (instanceId, waitOptions) =>
        engine.waitForInstance(instanceId, waitOptions?.timeoutMs ?? 30_000),
      whenIdle: (maxWaitMs) => engine.whenIdle(maxWaitMs),
      setAtLeastOnce: (mode) => {
        atLeastOnce = mode;
      },
      failOrchestrationStarts: (fault) =>
        engine.setStartFault(
          fault && {
            status: fault.status ?? 503,
            message: fault.message ?? "The task hub's storage is unavailable (sandbox fault).",
          },
        ),
      failStatusReads: (fault) => {
        statusReadFault = fault && {
          status: fault.status ?? 500,
          message: fault.message ?? "The task hub's storage is unavailable (sandbox fault).",
        };
      },
      nextTimerOccurrences: () => timers.nextOccurrences(),
      stop: async () => {
        if (isStopped) return;
        isStopped = true;
        await runCleanups();
      },
    };
  } catch (error) {
    await runCleanups();
    throw error;
  }
}

export { EVENT_GRID_WEBHOOK_PATH, DURABLE_WEBHOOK_PATH };
