// Starts the Key Vault emulator: one https server per vault on loopback, plus programmatic controls.
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { sharedClock, type VirtualClock } from "../clock";
import { testTls } from "../tls";
import { KeyVaultError } from "./errors";
import type {
  EventSubscription,
  EventSubscriptionInput,
  DeliveryOptions,
  DeliveryRecord,
} from "./EventPublisher";
import { DEFAULT_DELIVERY_OPTIONS } from "./EventPublisher";
import { NO_FAULTS, parseFaultSettings, type FaultSettings } from "./Faults";
import { KeyMaterialPool, type RsaKeySize } from "./keyMaterial";
import { KEY_VAULT_LIMITS, type OperationCount, type ThrottlingLimits } from "./Throttle";
import type { AccessState, RbacCheck } from "./AccessControl";
import { Vault } from "./Vault";
import { createVaultRequestHandler } from "./vaultServer";

export interface KeyVaultEmulatorOptions {
  vaults: Array<{ name: string; port?: number }>;
  clock?: VirtualClock;
  subscriptionId?: string;
  resourceGroup?: string;
  /** Key Vault's per-vault limits (default on); `false` turns them off, an object changes them (tests use short windows). */
  throttling?: boolean | Partial<ThrottlingLimits>;
  /** Retry schedule and timeout of event deliveries. */
  delivery?: Partial<DeliveryOptions>;
  /** RSA key pairs kept ready per size (default 2048: 8, 3072: 0, 4096: 0). */
  keyPool?: Partial<Record<RsaKeySize, number>>;
}

export interface VaultInfo {
  name: string;
  /** https://127.0.0.1:<port>, the vault URL to hand to KeyClient. */
  url: string;
  armId: string;
}

export interface KeyVaultEmulator {
  vaults: Record<string, VaultInfo>;
  /** PEM path of the CA that signed the servers' certificate. */
  caCertPath: string;
  vaultUrl(name: string): string;
  addEventSubscription(vaultName: string, input: EventSubscriptionInput): Promise<EventSubscription>;
  listEventSubscriptions(vaultName: string): EventSubscription[];
  deleteEventSubscription(vaultName: string, subscriptionId: string): void;
  listDeliveries(vaultName: string): DeliveryRecord[];
  duplicateNextDeliveries(vaultName: string, count: number): void;
  /** Waits until every delivery of the vault (all vaults when omitted) has succeeded, been dropped or given up. */
  waitForDeliveries(vaultName?: string): Promise<void>;
  /** Fault injection for one vault, or all vaults when vaultName is undefined. */
  setFaults(vaultName: string | undefined, faults: Partial<FaultSettings>): void;
  clearFaults(vaultName?: string): void;
  setThrottling(enabled: boolean, vaultName?: string): void;
  /**
   * Key requests per vault since start (or the last reset), by limit kind (createSoftware, createHsm,
   * other), served and answered 429 by the throttle; counted with throttling off too.
   */
  requestCounts(): Record<string, OperationCount[]>;
  resetRequestCounts(): void;
  /** Takes access away from a principal id ("*" = everyone), like removing its role assignment. */
  denyPrincipal(vaultName: string, principalId: string): void;
  /** Gives access back ("*" = everyone again). */
  allowPrincipal(vaultName: string, principalId: string): void;
  accessState(vaultName: string): AccessState;
  /** Makes the vault decide data actions from role assignments (the ARM emulator's); undefined turns it off. */
  setRbacCheck(vaultName: string, check: RbacCheck | undefined): void;
  /** Resolves when the pregenerated key pool is full (benchmarks call it before measuring). */
  warmKeyPool(): Promise<void>;
  /** While held, keys taken from the pool are not replaced in the background (benchmarks, while measuring). */
  holdKeyPool(isHeld: boolean): void;
  stop(): Promise<void>;
}

const DEFAULT_SUBSCRIPTION_ID = "00000000-0000-4000-8000-0000000c0de0";
const DEFAULT_RESOURCE_GROUP = "cmk-sandbox";
const VAULT_NAME_PATTERN = /^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/;

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startKeyVaultEmulator(options: KeyVaultEmulatorOptions): Promise<KeyVaultEmulator> {
  const clock = options.clock ?? sharedClock;
  const subscriptionId = options.subscriptionId ?? DEFAULT_SUBSCRIPTION_ID;
  const resourceGroup = options.resourceGroup ?? DEFAULT_RESOURCE_GROUP;
  const throttling = options.throttling ?? true;
  const limits: ThrottlingLimits = {
    ...KEY_VAULT_LIMITS,
    ...(typeof throttling === "object" ? throttling : {}),
  };
  const delivery: DeliveryOptions = { ...DEFAULT_DELIVERY_OPTIONS, ...options.delivery };
  const keyPool = new KeyMaterialPool({ 2048: 8, 3072: 0, 4096: 0, ...options.keyPool });
  const tls = testTls();
  const vaults = new Map<string, Vault>();
  const servers: Server[] = [];

  const stop = async (): Promise<void> => {
    keyPool.stop();
    for (const vault of vaults.values()) vault.stop();
    await Promise.all(
      servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      ),
    );
  };

  try {
    for (const { name, port } of options.vaults) {
      if (!VAULT_NAME_PATTERN.test(name))
        throw new Error(`invalid vault name "${name}": 3-24 letters, digits and dashes`);
      if (vaults.has(name)) throw new Error(`vault "${name}" is listed twice`);
      const server = createServer({ cert: tls.certPem, key: tls.keyPem });
      servers.push(server);
      const boundPort = await listen(server, port ?? 0);
      const vault = new Vault({
        name,
        url: `https://127.0.0.1:${boundPort}`,
        armId: `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.KeyVault/vaults/${name}`,
        clock,
        keyPool,
        throttlingLimits: limits,
        isThrottlingEnabled: throttling !== false,
        delivery,
      });
      // Attached before any request can be read: the listen continuation runs ahead of socket I/O.
      server.on("request", createVaultRequestHandler(vault));
      vaults.set(name, vault);
    }
  } catch (error) {
    await stop();
    throw error;
  }

  const vaultNamed = (name: string): Vault => {
    const vault = vaults.get(name);
    if (!vault) throw new KeyVaultError(404, "VaultNotFound", `No emulated vault named "${name}".`);
    return vault;
  };
  const selected = (name: string | undefined): Vault[] =>
    name === undefined ? [...vaults.values()] : [vaultNamed(name)];

  return {
    vaults: Object.fromEntries(
      [...vaults.values()].map((v) => [v.name, { name: v.name, url: v.url, armId: v.armId }]),
    ),
    caCertPath: tls.caCertPath,
    vaultUrl: (name) => vaultNamed(name).url,
    addEventSubscription: (name, input) => vaultNamed(name).events.subscribe(input),
    listEventSubscriptions: (name) => vaultNamed(name).events.list(),
    deleteEventSubscription: (name, id) => vaultNamed(name).events.unsubscribe(id),
    listDeliveries: (name) => vaultNamed(name).events.listDeliveries(),
    duplicateNextDeliveries: (name, count) => vaultNamed(name).events.duplicateNext(count),
    waitForDeliveries: async (name) => {
      await Promise.all(selected(name).map((vault) => vault.idle()));
    },
    setFaults: (name, faults) => {
      const settings = parseFaultSettings({ ...NO_FAULTS, ...faults });
      for (const vault of selected(name)) vault.faults.settings = settings;
    },
    clearFaults: (name) => {
      for (const vault of selected(name)) vault.faults.settings = NO_FAULTS;
    },
    setThrottling: (enabled, name) => {
      for (const vault of selected(name)) vault.throttle.isEnabled = enabled;
    },
    requestCounts: () =>
      Object.fromEntries([...vaults.values()].map((vault) => [vault.name, vault.throttle.requestCounts()])),
    resetRequestCounts: () => {
      for (const vault of vaults.values()) vault.throttle.resetRequestCounts();
    },
    denyPrincipal: (name, principalId) => vaultNamed(name).access.deny(principalId),
    allowPrincipal: (name, principalId) => vaultNamed(name).access.allow(principalId),
    accessState: (name) => vaultNamed(name).access.state(),
    setRbacCheck: (name, check) => {
      vaultNamed(name).access.rbac = check;
    },
    warmKeyPool: () => keyPool.warm(),
    holdKeyPool: (isHeld) => keyPool.hold(isHeld),
    stop,
  };
}
