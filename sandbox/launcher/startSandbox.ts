// Starts and wires the whole sandbox in this process: Azurite (behind the table fault proxy), two Key Vault vaults,
// the ARM emulator with its managed-identity endpoint, the local host running the real app, and the control API.
import { randomBytes } from "node:crypto";
import { startArmEmulator, type ArmEmulator } from "../arm";
import { startAzurite, AZURITE_ACCOUNT, AZURITE_ACCOUNT_KEY, type RunningAzurite } from "../azurite";
import { sharedClock, type VirtualClock } from "../clock";
import { startControlApi, type ControlApi } from "../control";
import { startLocalHost, type LocalHost } from "../host";
import { startKeyVaultEmulator, type KeyVaultEmulator } from "../keyvault";
import { testTls } from "../tls";
import { sandboxAppSettings } from "./appSettings";
import { dashboardUrlOf } from "./dashboardUrl";
import { armConsumerProbes, armFaultTarget, resourceGraphFaultTarget } from "./armControls";
import { OPERATOR_PRINCIPAL } from "./demo/demoClients";
import { keyVaultFaultTarget } from "./keyVaultFaultTarget";
import { wireKeyVaultRbac } from "./keyVaultRbac";
import type { SandboxPorts } from "./ports";
import type { SandboxState } from "./sandboxState";
import { TableFaultProxy } from "./TableFaultProxy";

export const SANDBOX_SUBSCRIPTION_ID = "00000000-0000-4000-8000-00000000c0de";
export const SANDBOX_RESOURCE_GROUP = "rg-cmk-sandbox";
/** Two vaults, as a Customer Insights estate with a second region would have. */
export const SANDBOX_VAULT_NAMES = ["contoso-cmk", "contoso-cmk-eu"] as const;
/** The second vault uses Azure RBAC, as Microsoft recommends for new vaults; the first uses access policies. */
export const SANDBOX_RBAC_VAULTS: readonly string[] = [SANDBOX_VAULT_NAMES[1]];
/** Virtual ms each environment link/unlink runs in the sandbox (the environment is Disabled meanwhile). */
export const SANDBOX_LINK_DURATION_MS = 3_000;
/** The Event Grid trigger the app registers (rotation-shared decision) and the events it wants. */
export const KEY_EVENTS_FUNCTION = "keyVaultEvents";
export const KEY_EVENT_TYPES = [
  "Microsoft.KeyVault.KeyNearExpiry",
  "Microsoft.KeyVault.KeyNewVersionCreated",
  "Microsoft.KeyVault.KeyExpired",
];
// Daily: every occurrence fires when the virtual clock jumps, so a month is 31 sweeps.
const SWEEP_SCHEDULE = "0 0 0 * * *";

export interface SandboxOptions {
  ports: SandboxPorts;
  clock?: VirtualClock;
  /** One line per step for the operator. */
  log: (line: string) => void;
  /** Compiled app entry (default: package.json "main"). */
  appEntry?: string;
}

export interface RunningSandbox {
  state: SandboxState;
  clock: VirtualClock;
  keyVault: KeyVaultEmulator;
  arm: ArmEmulator;
  host: LocalHost;
  /** Warnings met while wiring (e.g. a vault left unsubscribed); the sandbox still serves. */
  warnings: string[];
  stop(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions): Promise<RunningSandbox> {
  const clock = options.clock ?? sharedClock;
  const { ports, log } = options;
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    // Reverse start order: the app stops before the services it calls.
    for (const stop of stops.reverse()) {
      await stop().catch((error: unknown) =>
        log(`stop failed: ${error instanceof Error ? error.message : String(error)}`),
      );
    }
    stops.length = 0;
  };
  const warnings: string[] = [];
  try {
    const azurite: RunningAzurite = await startAzurite({ blobPort: ports.blob, queuePort: ports.queue });
    stops.push(() => azurite.stop());
    const tableProxy = new TableFaultProxy(new URL(azurite.tableEndpoint).origin);
    const tableOrigin = await tableProxy.start(ports.table);
    stops.push(() => tableProxy.stop());
    const tableEndpoint = `${tableOrigin}/${AZURITE_ACCOUNT}`;
    log(
      `azurite      table ${tableEndpoint} (fault proxy), blob ${azurite.blobEndpoint}, queue ${azurite.queueEndpoint}`,
    );

    const keyVault = await startKeyVaultEmulator({
      vaults: SANDBOX_VAULT_NAMES.map((name, index) => ({
        name,
        port: ports.keyVault === 0 ? 0 : ports.keyVault + index,
      })),
      clock,
      subscriptionId: SANDBOX_SUBSCRIPTION_ID,
      resourceGroup: SANDBOX_RESOURCE_GROUP,
    });
    stops.push(() => keyVault.stop());
    const keyVaults = Object.fromEntries(
      Object.values(keyVault.vaults).map((vault) => [vault.name, vault.url]),
    );
    log(
      `key vault    ${Object.entries(keyVaults)
        .map(([name, url]) => `${name} ${url}`)
        .join(", ")}`,
    );

    const arm = await startArmEmulator({
      clock,
      subscriptionId: SANDBOX_SUBSCRIPTION_ID,
      resourceGroup: SANDBOX_RESOURCE_GROUP,
      keyVaults,
      port: ports.arm,
      rbacVaults: [...SANDBOX_RBAC_VAULTS],
      linkDurationMs: SANDBOX_LINK_DURATION_MS,
    });
    stops.push(() => arm.stop());
    wireKeyVaultRbac(keyVault, arm, [OPERATOR_PRINCIPAL]);
    log(`arm          ${arm.url} (storage, enterprise policies, Power Platform admin API, managed identity)`);

    const revocationSecret = randomBytes(32).toString("hex");
    const connectionString = [
      "DefaultEndpointsProtocol=http",
      `AccountName=${AZURITE_ACCOUNT}`,
      `AccountKey=${AZURITE_ACCOUNT_KEY}`,
      `BlobEndpoint=${azurite.blobEndpoint}`,
      `QueueEndpoint=${azurite.queueEndpoint}`,
      `TableEndpoint=${tableEndpoint}`,
    ].join(";");
    const host = await startLocalHost({
      appEntry: options.appEntry,
      port: ports.functions,
      clock,
      settings: sandboxAppSettings({
        storageConnectionString: `${connectionString};`,
        vaultUrls: keyVaults,
        arm,
        revocationSecret,
        sweepSchedule: SWEEP_SCHEDULE,
      }),
    });
    stops.push(() => host.stop());
    log(
      `functions    ${host.baseUrl} (${host.functions.length} functions: ${host.functions.map((f) => f.name).join(", ") || "none"})`,
    );
    if (host.functions.some((fn) => fn.name === "dashboard"))
      log(`dashboard    ${dashboardUrlOf(host.baseUrl, host.functionKey)}`);

    const eventGridWebhookUrl = host.eventGridWebhookUrl(KEY_EVENTS_FUNCTION);
    if (host.functions.some((fn) => fn.name === KEY_EVENTS_FUNCTION)) {
      for (const vaultName of SANDBOX_VAULT_NAMES) {
        try {
          await keyVault.addEventSubscription(vaultName, {
            name: "cmk-rotator",
            endpointUrl: eventGridWebhookUrl,
            schema: "EventGridSchema",
            includedEventTypes: KEY_EVENT_TYPES,
          });
        } catch (error) {
          warnings.push(
            `vault ${vaultName} not subscribed: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
      }
      log(`event grid   ${SANDBOX_VAULT_NAMES.join(", ")} -> ${KEY_EVENTS_FUNCTION}`);
    } else {
      warnings.push(
        `the app registers no ${KEY_EVENTS_FUNCTION} function yet: vaults are not subscribed to Event Grid`,
      );
    }

    const control: ControlApi = await startControlApi({
      clock,
      port: ports.control,
      faultTargets: {
        keyvault: keyVaultFaultTarget(keyVault),
        arm: armFaultTarget(arm),
        resourcegraph: resourceGraphFaultTarget(arm),
        tables: tableProxy,
      },
      probes: armConsumerProbes(arm),
    });
    stops.push(() => control.stop());
    log(`control      ${control.url}`);

    const state: SandboxState = {
      functionsBaseUrl: host.baseUrl,
      functionKey: host.functionKey,
      eventGridWebhookUrl,
      revocationSecret,
      caCertPath: testTls().caCertPath,
      subscriptionId: arm.subscriptionId,
      resourceGroup: arm.resourceGroup,
      armEndpoint: arm.url,
      keyVaults,
      rbacVaults: [...SANDBOX_RBAC_VAULTS],
      tableEndpoint,
      controlUrl: control.url,
    };
    return { state, clock, keyVault, arm, host, warnings, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
