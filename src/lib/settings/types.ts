// The app's settings after validation: one typed object, read once at start-up.
import type { RevocationSecret } from "./revocationSecret";

/** One allow-listed vault: its name and the only origin its key ids may come from. */
export interface AllowedVault {
  /** Vault name as configured (matched case-insensitively). */
  name: string;
  /** Origin of the vault, no trailing slash, e.g. https://kv1.vault.azure.net or https://127.0.0.1:8443. */
  url: string;
}

/**
 * How the app reaches its own storage (bindings, audit, webhook replay guard), read from
 * `AzureWebJobsStorage` as the Functions host reads it.
 */
export type StorageConnection =
  | {
      /** `AzureWebJobsStorage` holds a connection string (locally: Azurite). */
      kind: "connectionString";
      connectionString: string;
    }
  | {
      /** `AzureWebJobsStorage__accountName` or `__tableServiceUri`: tables reached with a token. */
      kind: "identity";
      /** Table endpoint without a trailing slash, e.g. https://<account>.table.core.windows.net. */
      tableServiceUri: string;
      /** `__credential=managedidentity`: only the managed identity, never a developer sign-in. */
      isManagedIdentityOnly: boolean;
      /** `__clientId`: the user-assigned identity to use; undefined = AZURE_CLIENT_ID or system-assigned. */
      clientId?: string;
    };

export interface Settings {
  /** AzureWebJobsStorage (or its identity-based form): where the app's tables live. */
  storage: StorageConnection;
  /** CMK_ALLOWED_VAULTS: the only vaults the service touches. */
  allowedVaults: readonly AllowedVault[];
  /** CMK_ARM_ENDPOINT: Azure Resource Manager origin (default https://management.azure.com). */
  armEndpoint: string;
  /** CMK_POWER_PLATFORM_ENDPOINT: Power Platform admin API origin (default https://api.bap.microsoft.com). */
  powerPlatformEndpoint: string;
  /** CMK_REVOCATION_SECRET: HMAC key of the revocation webhook, or why the value cannot be one. Never log it. */
  revocationSecret: RevocationSecret;
  /** CMK_SWEEP_SCHEDULE: six-field NCRONTAB of the scheduled sweep. */
  sweepSchedule: string;
  /** CMK_NOTIFY_TOPIC_ENDPOINT: Event Grid topic for outcome events; undefined = do not publish. */
  notifyTopicEndpoint?: string;
  /** CMK_NOTIFY_TOPIC_KEY: topic access key; undefined = authenticate with the managed identity. Never log it. */
  notifyTopicKey?: string;
  /**
   * CMK_DISCOVERY_SCOPES: where discovery asks Resource Graph (subscription ids, `mg:<name>` for
   * management groups); empty = every subscription the identity can read.
   */
  discoveryScopes: { subscriptions: string[]; managementGroups: string[] };
  /** AZURE_CLIENT_ID: client id of a user-assigned managed identity; undefined = system-assigned. */
  managedIdentityClientId?: string;
  /**
   * CMK_KEY_CHANGE_PARALLEL_ENVIRONMENTS: how many Power Platform environments a key change moves at
   * once (each is offline while it moves); 1 to 5, default 1.
   */
  keyChangeParallelEnvironments: number;
}

/** Every setting the app reads besides the identity-based storage form (the infrastructure test checks the Bicep template sets each or documents it optional). */
export const SETTING_NAMES = [
  "AzureWebJobsStorage",
  "CMK_ALLOWED_VAULTS",
  "CMK_ARM_ENDPOINT",
  "CMK_POWER_PLATFORM_ENDPOINT",
  "CMK_REVOCATION_SECRET",
  "CMK_SWEEP_SCHEDULE",
  "CMK_NOTIFY_TOPIC_ENDPOINT",
  "CMK_NOTIFY_TOPIC_KEY",
  "AZURE_CLIENT_ID",
  "CMK_DISCOVERY_SCOPES",
  "CMK_KEY_CHANGE_PARALLEL_ENVIRONMENTS",
] as const;

/**
 * The identity-based form of AzureWebJobsStorage, read when the connection string is not set
 * (the Functions host reads the same names for its own storage and the Durable task hub).
 */
export const STORAGE_IDENTITY_SETTING_NAMES = [
  "AzureWebJobsStorage__accountName",
  "AzureWebJobsStorage__credential",
  "AzureWebJobsStorage__clientId",
  "AzureWebJobsStorage__tableServiceUri",
  "AzureWebJobsStorage__blobServiceUri",
  "AzureWebJobsStorage__queueServiceUri",
] as const;

export type SettingName = (typeof SETTING_NAMES)[number] | (typeof STORAGE_IDENTITY_SETTING_NAMES)[number];

export const DEFAULT_ARM_ENDPOINT = "https://management.azure.com";
export const DEFAULT_POWER_PLATFORM_ENDPOINT = "https://api.bap.microsoft.com";
export const MIN_REVOCATION_SECRET_LENGTH = 32;
/** Environments a key change moves at once: one by default, a few at most (each move is a downtime). */
export const DEFAULT_KEY_CHANGE_PARALLEL_ENVIRONMENTS = 1;
export const MAX_KEY_CHANGE_PARALLEL_ENVIRONMENTS = 5;
