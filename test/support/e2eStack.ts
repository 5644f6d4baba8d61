// End-to-end wiring shared by rotation and revocation tests: Azurite, Key Vault and ARM emulators, and the local host running the compiled app.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { KeyClient } from "@azure/keyvault-keys";
import { startArmEmulator } from "../../sandbox/arm";
import type { ArmEmulator } from "../../sandbox/arm";
import { startAzurite, type RunningAzurite } from "../../sandbox/azurite";
import { VirtualClock } from "../../sandbox/clock";
import { sandboxAppSettings } from "../../sandbox/launcher/appSettings";
import { wireKeyVaultRbac } from "../../sandbox/launcher/keyVaultRbac";
import { TableFaultProxy } from "../../sandbox/launcher/TableFaultProxy";
import { startLocalHost, type AtLeastOnceMode, type HostLogEntry, type LocalHost } from "../../sandbox/host";
import { sandboxCredential } from "../../sandbox/identity";
import {
  startKeyVaultEmulator,
  type KeyVaultEmulator,
  type KeyVaultEmulatorOptions,
} from "../../sandbox/keyvault";
import { packageRoot } from "../../sandbox/packageRoot";

/** The compiled app, exactly what package.json "main" points the Functions host at. */
export const APP_ENTRY = join(packageRoot(), "dist", "src", "index.js");
export const E2E_REVOCATION_SECRET = "e2e-revocation-secret-0123456789abcdef";
/** Never fires during a test unless a test asks for a sweep schedule. */
const RARE_SCHEDULE = "0 0 0 1 1 *";

/** fetch options plus the function key to send: default the host's, `null` sends none. */
export type HostCallInit = RequestInit & { key?: string | null };

/** fetch against `host`'s app with a function key; a body without a content type is sent as JSON. */
export function callHost(host: LocalHost, path: string, init: HostCallInit = {}): Promise<Response> {
  const { key, ...rest } = init;
  const headers = new Headers(rest.headers);
  const useKey = key === undefined ? host.functionKey : key;
  if (useKey) headers.set("x-functions-key", useKey);
  if (rest.body !== undefined && !headers.has("content-type"))
    headers.set("content-type", "application/json");
  return fetch(`${host.baseUrl}${path}`, { ...rest, headers });
}

/** Binds a key through the app's own PUT /api/bindings door, as an operator would; throws unless it answered 200. */
export async function putBinding(
  stack: Pick<E2eStack, "call">,
  vaultName: string,
  keyName: string,
  body: Record<string, unknown>,
): Promise<void> {
  const response = await stack.call(`/api/bindings/${vaultName}/${keyName}`, {
    method: "PUT",
    body: JSON.stringify(body),
  });
  if (response.status !== 200)
    throw new Error(`binding refused: ${response.status} ${await response.text()}`);
}

export interface E2eStackOptions {
  vaultNames?: string[];
  /** CMK_SWEEP_SCHEDULE (six-field NCRONTAB). */
  sweepSchedule?: string;
  atLeastOnce?: AtLeastOnceMode;
  /** Key Vault and ARM throttling (default off: tests that want 429s inject them as faults). */
  throttling?: boolean;
  /** Subscribe every vault's events to the app's Event Grid trigger (default EventGridSchema). */
  eventSchema?: "EventGridSchema" | "CloudEventSchemaV1_0" | "none";
  /** Extra app settings. */
  settings?: Record<string, string>;
  /** Host log sink (default: kept in `logs`). */
  log?: (entry: HostLogEntry) => void;
  /** Vaults that enforce RBAC; the app and the operator get Key Vault Crypto Officer on them. */
  rbacVaults?: string[];
  /** How long each environment link/unlink runs (virtual ms, default 0). */
  linkDurationMs?: number;
  /** RSA keys the Key Vault emulator keeps ready past its committed pool (benchmarks making hundreds of keys). */
  keyPool?: KeyVaultEmulatorOptions["keyPool"];
  /** Put a fault proxy in front of Azurite's tables and point the app at it (the control API's "tables" target). */
  tableFaultProxy?: boolean;
}

/** The principal the stack's operator KeyClient acts as. */
export const E2E_OPERATOR_PRINCIPAL = "e2e-operator";

export interface E2eStack {
  clock: VirtualClock;
  azurite: RunningAzurite;
  keyVault: KeyVaultEmulator;
  arm: ArmEmulator;
  /** The host now serving (restartHost replaces it). */
  readonly host: LocalHost;
  /** The fault proxy between the app and Azurite's tables, when `tableFaultProxy` asked for one. */
  tableFaults?: TableFaultProxy;
  logs: HostLogEntry[];
  /** A KeyClient acting as an operator (not the app), for seeding keys and reading versions. */
  operatorKeys(vaultName?: string): KeyClient;
  vaultName: string;
  vaultUrl(vaultName?: string): string;
  /** The app settings the host started with: a host restarted on this stack gets the same. */
  hostSettings: Readonly<Record<string, string>>;
  /** fetch against the app with the function key. */
  call(path: string, init?: HostCallInit): Promise<Response>;
  /** Advances the one virtual clock and waits until the host has nothing left to do. */
  advance(ms: number): Promise<void>;
  /**
   * Stops the host and starts a new one on the same port, keys and settings with the old host's durable
   * store handed over, as when a Functions worker is recycled: activities the old host had not delivered
   * run again, timers are re-armed. `atLeastOnce` applies to the new host (default: the stack's option).
   */
  restartHost(options?: { atLeastOnce?: AtLeastOnceMode }): Promise<void>;
  stop(): Promise<void>;
}

export async function startE2eStack(options: E2eStackOptions = {}): Promise<E2eStack> {
  if (!existsSync(APP_ENTRY))
    throw new Error(
      `${APP_ENTRY} is missing: end-to-end tests load the compiled app, run "npm run build" first`,
    );
  const vaultNames = options.vaultNames ?? ["kv-e2e"];
  const clock = new VirtualClock();
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const stopOne of stops.reverse()) await stopOne().catch(() => undefined);
  };
  try {
    const azurite = await startAzurite({ services: ["table"] });
    stops.push(() => azurite.stop());
    let tableFaults: TableFaultProxy | undefined;
    let storageConnectionString = azurite.connectionString;
    if (options.tableFaultProxy) {
      const proxy = new TableFaultProxy(new URL(azurite.tableEndpoint).origin);
      const proxyOrigin = await proxy.start();
      stops.push(() => proxy.stop());
      tableFaults = proxy;
      storageConnectionString = azurite.connectionString.replace(
        new URL(azurite.tableEndpoint).origin,
        proxyOrigin,
      );
    }
    const keyVault = await startKeyVaultEmulator({
      vaults: vaultNames.map((name) => ({ name })),
      clock,
      throttling: options.throttling ?? false,
      ...(options.keyPool ? { keyPool: options.keyPool } : {}),
    });
    stops.push(() => keyVault.stop());
    const vaultUrls = Object.fromEntries(vaultNames.map((name) => [name, keyVault.vaultUrl(name)]));
    const arm = await startArmEmulator({
      clock,
      keyVaults: vaultUrls,
      throttling: options.throttling ?? false,
      rbacVaults: options.rbacVaults,
      linkDurationMs: options.linkDurationMs,
    });
    stops.push(() => arm.stop());
    wireKeyVaultRbac(keyVault, arm, [E2E_OPERATOR_PRINCIPAL]);
    const logs: HostLogEntry[] = [];
    const hostSettings: Record<string, string> = {
      ...sandboxAppSettings({
        storageConnectionString,
        vaultUrls,
        arm,
        revocationSecret: E2E_REVOCATION_SECRET,
        sweepSchedule: options.sweepSchedule ?? RARE_SCHEDULE,
      }),
      ...options.settings,
    };
    const log = options.log ?? ((entry: HostLogEntry) => logs.push(entry));
    let host = await startLocalHost({
      appEntry: APP_ENTRY,
      clock,
      atLeastOnce: options.atLeastOnce ?? "off",
      log,
      settings: { ...hostSettings },
    });
    stops.push(() => host.stop());
    const restartHost = async (restart: { atLeastOnce?: AtLeastOnceMode } = {}) => {
      const previous = host;
      await previous.stop();
      // Same port and keys: event subscriptions and callers keep working, as with a recycled worker.
      host = await startLocalHost({
        appEntry: APP_ENTRY,
        clock,
        port: previous.port,
        functionKey: previous.functionKey,
        systemKey: previous.systemKey,
        masterKey: previous.masterKey,
        atLeastOnce: restart.atLeastOnce ?? options.atLeastOnce ?? "off",
        durableStore: previous.durableStore,
        log,
        settings: { ...hostSettings },
      });
    };
    if (options.eventSchema !== "none") {
      for (const name of vaultNames) {
        await keyVault.addEventSubscription(name, {
          endpointUrl: host.eventGridWebhookUrl("keyVaultEvents"),
          schema: options.eventSchema ?? "EventGridSchema",
        });
      }
    }
    const operatorCredential = sandboxCredential(E2E_OPERATOR_PRINCIPAL);
    const operatorClients = new Map<string, KeyClient>();
    const operatorKeys = (vaultName = vaultNames[0]) => {
      let client = operatorClients.get(vaultName);
      if (!client) {
        client = new KeyClient(keyVault.vaultUrl(vaultName), operatorCredential, {
          disableChallengeResourceVerification: true,
        });
        operatorClients.set(vaultName, client);
      }
      return client;
    };
    return {
      clock,
      azurite,
      keyVault,
      arm,
      get host() {
        return host;
      },
      ...(tableFaults ? { tableFaults } : {}),
      logs,
      operatorKeys,
      vaultName: vaultNames[0],
      vaultUrl: (vaultName = vaultNames[0]) => keyVault.vaultUrl(vaultName),
      hostSettings,
      call: (path, init) => callHost(host, path, init),
      advance: async (ms) => {
        await clock.advance(ms);
        await keyVault.waitForDeliveries();
        await host.whenIdle();
      },
      restartHost,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
