// Public types of the one Azure client factory: every SDK client the app uses comes from here.
import type { TokenCredential } from "@azure/core-auth";
import type { TableClient } from "@azure/data-tables";
import type { EventGridPublisherClient } from "@azure/eventgrid";
import type { KeyClient } from "@azure/keyvault-keys";
import type { StorageManagementClient } from "@azure/arm-storage";
import type { ResourceManagementClient } from "@azure/arm-resources";
import type { ResourceGraphClient } from "@azure/arm-resourcegraph";
import type { AuthorizationManagementClient } from "@azure/arm-authorization";
import type { ArmHeadroom } from "./armHeadroom";

/** Overrides for tests and the sandbox; production passes none. */
export interface AzureClientOptions {
  /** Default: DefaultAzureCredential (with managedIdentityClientId = AZURE_CLIENT_ID when set). */
  credential?: TokenCredential;
  /** Extra trust anchor (PEM) for https emulators; NODE_EXTRA_CA_CERTS does the same process-wide. */
  caPem?: string;
  /** SDK retry policy; default is each SDK's own (which already honours Retry-After on 429/503). */
  retryOptions?: { maxRetries?: number; retryDelayInMs?: number; maxRetryDelayInMs?: number };
}

/** A JSON answer of the Power Platform admin API (no SDK exists for it). */
export interface PowerPlatformAdminResponse {
  status: number;
  body: unknown;
  /** Lower-case header names. */
  headers: Readonly<Record<string, string>>;
}

/**
 * Authenticated JSON requests to the Power Platform admin API (CMK_POWER_PLATFORM_ENDPOINT), with
 * the SDK pipeline's retries (Retry-After honoured). A non-2xx answer throws a RestError, which
 * `fromAzureError` maps like any SDK failure.
 */
export interface PowerPlatformAdminClient {
  readonly endpoint: string;
  request(
    method: "GET" | "POST" | "PATCH",
    path: string,
    options?: { apiVersion?: string; body?: unknown },
  ): Promise<PowerPlatformAdminResponse>;
}

/** Every Azure client the app uses, created lazily and cached per vault / subscription / table. */
export interface AzureClients {
  readonly credential: TokenCredential;
  /** What ARM's headroom headers said on this process's ARM calls (every ARM client records into it). */
  readonly armHeadroom: ArmHeadroom;
  /** KeyClient for an allow-listed vault (throws UnknownVault otherwise). */
  keyClient(vaultName: string): KeyClient;
  /**
   * The same vault's KeyClient without the SDK's own retries, for the one Key Vault call that is not
   * idempotent (creating a version): its caller looks for what an unanswered attempt made before it tries again.
   */
  keyClientWithoutRetries(vaultName: string): KeyClient;
  /** arm-storage client for a subscription, on CMK_ARM_ENDPOINT. */
  storageClient(subscriptionId: string): StorageManagementClient;
  /** arm-resources client for a subscription, on CMK_ARM_ENDPOINT; use its `*ById` calls with an explicit api-version. */
  resourceClient(subscriptionId: string): ResourceManagementClient;
  /** arm-authorization client for a subscription, on CMK_ARM_ENDPOINT (role assignments: read only, the app grants nothing). */
  authorizationClient(subscriptionId: string): AuthorizationManagementClient;
  /** Resource Graph client on CMK_ARM_ENDPOINT (tenant-wide: queries name their subscriptions). */
  resourceGraph(): ResourceGraphClient;
  /** TableClient on AzureWebJobsStorage (connection string or identity-based). Call `createTable()` once before first use. */
  tableClient(tableName: string): TableClient;
  /** The Power Platform admin API client. */
  powerPlatformAdmin(): PowerPlatformAdminClient;
  /** Publisher for outcome events, or undefined when CMK_NOTIFY_TOPIC_ENDPOINT is not set. */
  eventGridPublisher(): EventGridPublisherClient<"EventGrid"> | undefined;
}
