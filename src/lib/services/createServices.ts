// Wires the lib once per process: settings → clients → gateway, stores, consumers, publisher.
import { createTableAuditLog, AUDIT_TABLE, type AuditLog } from "../audit";
import { createAzureClients, type AzureClientOptions, type AzureClients } from "../azure";
import { BINDINGS_TABLE, createTableBindingStore, type BindingStore } from "../bindings";
import { createConsumerRegistry, type ConsumerRegistry } from "../consumers";
import {
  DRIFT_TABLE,
  createConsumerDiscovery,
  createTableDriftStore,
  resourceGraphReader,
  type ConsumerDiscovery,
  type DriftStore,
} from "../discovery";
import {
  FENCES_TABLE,
  VaultAllowList,
  createKeyVaultGateway,
  createTableKeyChangeMarkStore,
  createTableKeyFenceStore,
  type KeyChangeMarkStore,
  type KeyFenceStore,
  type KeyVaultGateway,
} from "../keys";
import { createKeyChangeParts, type KeyChangeParts } from "../keyChanges/keyChangeParts";
import { createVaultAccessReader, type VaultAccessReader } from "../keyChanges/vaultAccess";
import { createOutcomePublisher, type OutcomePublisher } from "../notifications";
import { getSettings, type Settings } from "../settings";
import { createTableSweepStore, type SweepStore } from "../sweeps";
import {
  ONCE_TABLE,
  createTableLeaseStore,
  createTableOnceStore,
  type LeaseStore,
  type OnceStore,
} from "../tables";

/** Everything activities and doors use from the lib, built from one Settings. */
export interface Services {
  settings: Settings;
  allowList: VaultAllowList;
  clients: AzureClients;
  keyVault: KeyVaultGateway;
  bindings: BindingStore;
  consumers: ConsumerRegistry;
  /** What really uses each key (Resource Graph, confirmed by ARM), beside what is bound. */
  discovery: ConsumerDiscovery;
  /** Each key's drift at its last sweep (recorded once, not every sweep). */
  drift: DriftStore;
  audit: AuditLog;
  /** Sweep summaries (in the audit table). */
  sweeps: SweepStore;
  notifications: OutcomePublisher;
  /** Insert-if-absent markers (event dedupe, requestId replay guard). */
  once: OnceStore;
  /** Short leases across workers (the sweep's start). */
  leases: LeaseStore;
  /** Revocation fences; keyVault refuses to create or re-enable versions of a fenced key. */
  fences: KeyFenceStore;
  /** Key-change marks: a running change holds rotations off; the old key's versions are kept 30 days after it. */
  keyChangeMarks: KeyChangeMarkStore;
  /** Vault properties and who may use its keys (ARM and role assignments), for key-change preflight. */
  vaultAccess: VaultAccessReader;
  /** The Azure steps of a key change: storage PATCH, enterprise policies, environment link/unlink. */
  keyChange: KeyChangeParts;
}

export interface ServicesOptions extends AzureClientOptions {
  /** Clock for stored timestamps outside orchestrations (bindings updatedAt); default Date.now. */
  nowMs?: () => number;
  /** Poll interval of ARM long-running operations (tests: a few ms). */
  pollIntervalMs?: number;
}

export function createServices(settings: Settings, options: ServicesOptions = {}): Services {
  const clients = createAzureClients(settings, options);
  const allowList = VaultAllowList.fromSettings(settings);
  const fences = createTableKeyFenceStore(clients.tableClient(FENCES_TABLE));
  const once = createTableOnceStore(clients.tableClient(ONCE_TABLE));
  const consumers = createConsumerRegistry({ clients, allowList, pollIntervalMs: options.pollIntervalMs });
  const discovery = createConsumerDiscovery({
    readPage: resourceGraphReader(clients.resourceGraph()),
    consumers,
    allowList,
    scopes: settings.discoveryScopes,
  });
  return {
    settings,
    allowList,
    clients,
    keyVault: createKeyVaultGateway(clients, { fences }),
    bindings: createTableBindingStore(clients.tableClient(BINDINGS_TABLE), options.nowMs),
    consumers,
    discovery,
    drift: createTableDriftStore(clients.tableClient(DRIFT_TABLE)),
    audit: createTableAuditLog(clients.tableClient(AUDIT_TABLE)),
    sweeps: createTableSweepStore(clients.tableClient(AUDIT_TABLE)),
    notifications: createOutcomePublisher(clients),
    once,
    leases: createTableLeaseStore(clients.tableClient(ONCE_TABLE)),
    fences,
    keyChangeMarks: createTableKeyChangeMarkStore(clients.tableClient(FENCES_TABLE)),
    vaultAccess: createVaultAccessReader({ clients, allowList, scopes: settings.discoveryScopes }),
    keyChange: createKeyChangeParts(clients, discovery),
  };
}

let processServices: Services | undefined;

/** The process's services, built from getSettings() on first use. */
export function getServices(): Services {
  processServices ??= createServices(getSettings());
  return processServices;
}
