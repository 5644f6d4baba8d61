// The one client factory: credential, endpoints and TLS options from Settings; nothing else builds SDK clients.
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import { ResourceManagementClient } from "@azure/arm-resources";
import { ResourceGraphClient } from "@azure/arm-resourcegraph";
import { StorageManagementClient } from "@azure/arm-storage";
import { AzureKeyCredential, type TokenCredential } from "@azure/core-auth";
import { TableClient } from "@azure/data-tables";
import { EventGridPublisherClient } from "@azure/eventgrid";
import { KeyClient } from "@azure/keyvault-keys";
import { DomainError } from "../errors";
import type { Settings, StorageConnection } from "../settings";
import { ArmHeadroom, armHeadroomPolicy } from "./armHeadroom";
import { createCredential } from "./createCredential";
import { keyVaultThrottlingBackoffPolicy } from "./keyVaultThrottlingBackoff";
import { isLoopbackUrl } from "./loopback";
import { createPowerPlatformAdminClient } from "./powerPlatformAdminClient";
import type { AzureClientOptions, AzureClients, PowerPlatformAdminClient } from "./types";

/** The table endpoint named by a connection string, when it names one. */
function tableEndpointOf(connectionString: string): string | undefined {
  const match = /(?:^|;)\s*TableEndpoint=([^;]+)/i.exec(connectionString);
  return match?.[1].trim();
}

/**
 * The credential of the app's own tables: the app's, unless the identity-based storage setting asks for
 * the managed identity alone or names another user-assigned identity (`__credential`, `__clientId`).
 */
function storageCredentialOf(
  storage: Extract<StorageConnection, { kind: "identity" }>,
  settings: Settings,
  appCredential: TokenCredential,
  options: AzureClientOptions,
): TokenCredential {
  if (options.credential) return options.credential;
  const clientId = storage.clientId ?? settings.managedIdentityClientId;
  if (!storage.isManagedIdentityOnly && clientId === settings.managedIdentityClientId) return appCredential;
  return createCredential({
    managedIdentityClientId: clientId,
    isManagedIdentityOnly: storage.isManagedIdentityOnly,
  });
}

/** Builds the TableClient factory from AzureWebJobsStorage: a connection string, or a token on the table endpoint. */
function tableClientFactory(
  settings: Settings,
  appCredential: TokenCredential,
  options: AzureClientOptions,
): (tableName: string) => TableClient {
  const storage = settings.storage;
  const retryOptions = options.retryOptions;
  if (storage.kind === "connectionString") {
    const tableEndpoint = tableEndpointOf(storage.connectionString);
    const allowInsecureConnection =
      tableEndpoint !== undefined && tableEndpoint.startsWith("http:") && isLoopbackUrl(tableEndpoint);
    return (tableName) =>
      TableClient.fromConnectionString(storage.connectionString, tableName, {
        allowInsecureConnection,
        retryOptions,
      });
  }
  const credential = storageCredentialOf(storage, settings, appCredential, options);
  const allowInsecureConnection =
    storage.tableServiceUri.startsWith("http:") && isLoopbackUrl(storage.tableServiceUri);
  return (tableName) =>
    new TableClient(storage.tableServiceUri, tableName, credential, {
      allowInsecureConnection,
      retryOptions,
    });
}

function memoise<T>(create: (key: string) => T): (key: string) => T {
  const cache = new Map<string, T>();
  return (key) => {
    let value = cache.get(key);
    if (value === undefined) {
      value = create(key);
      cache.set(key, value);
    }
    return value;
  };
}

/**
 * Creates the app's Azure clients from validated settings. Key Vault clients relax the challenge
 * resource check only for loopback vault hosts (emulators); tables allow http only on loopback
 * and are reached with a connection string or, identity-based, with a token from the one credential factory.
 */
export function createAzureClients(settings: Settings, options: AzureClientOptions = {}): AzureClients {
  const credential: TokenCredential =
    options.credential ?? createCredential({ managedIdentityClientId: settings.managedIdentityClientId });
  const tlsOptions = options.caPem ? { ca: options.caPem } : undefined;
  const retryOptions = options.retryOptions;
  const armScopes = [`${settings.armEndpoint}/.default`];
  // Every ARM answer's headroom headers, for schedulers that pace against ARM's buckets (the sweep).
  const armHeadroom = new ArmHeadroom();
  const armPolicies = [{ policy: armHeadroomPolicy(armHeadroom), position: "perRetry" as const }];
  const newKeyClient = (vaultName: string, keyRetryOptions: AzureClientOptions["retryOptions"]) => {
    const vault = settings.allowedVaults.find(
      (candidate) => candidate.name.toLowerCase() === vaultName.toLowerCase(),
    );
    if (!vault) throw new DomainError("UnknownVault", `Vault "${vaultName}" is not in CMK_ALLOWED_VAULTS.`);
    return new KeyClient(vault.url, credential, {
      disableChallengeResourceVerification: isLoopbackUrl(vault.url),
      retryOptions: keyRetryOptions,
      // Inside the SDK's retry loop: a bare 429 (no Retry-After) waits 1, 2, 4, 8, 16 s instead of
      // failing at once; off with the retries (creates retry in the gateway, which checks the tag first).
      additionalPolicies: [
        {
          policy: keyVaultThrottlingBackoffPolicy({
            firstDelayMs: keyRetryOptions?.retryDelayInMs,
            maxRetries: keyRetryOptions?.maxRetries,
          }),
          position: "perRetry",
        },
      ],
      tlsOptions,
      userAgentOptions: { userAgentPrefix: "cmk-rotator" },
    });
  };
  const keyClient = memoise((vaultName: string) => newKeyClient(vaultName, retryOptions));
  const keyClientWithoutRetries = memoise((vaultName: string) =>
    newKeyClient(vaultName, { ...retryOptions, maxRetries: 0 }),
  );
  const storageClient = memoise(
    (subscriptionId: string) =>
      new StorageManagementClient(credential, subscriptionId, {
        endpoint: settings.armEndpoint,
        credentials: { scopes: armScopes },
        retryOptions,
        tlsOptions,
        userAgentOptions: { userAgentPrefix: "cmk-rotator" },
        additionalPolicies: armPolicies,
      }),
  );
  // No client-level apiVersion: it would override the api-version of every *ById call.
  const resourceClient = memoise(
    (subscriptionId: string) =>
      new ResourceManagementClient(credential, subscriptionId, {
        endpoint: settings.armEndpoint,
        credentials: { scopes: armScopes },
        retryOptions,
        tlsOptions,
        userAgentOptions: { userAgentPrefix: "cmk-rotator" },
        additionalPolicies: armPolicies,
      }),
  );
  const authorizationClient = memoise(
    (subscriptionId: string) =>
      new AuthorizationManagementClient(credential, subscriptionId, {
        endpoint: settings.armEndpoint,
        credentialScopes: armScopes,
        retryOptions,
        tlsOptions,
        userAgentOptions: { userAgentPrefix: "cmk-rotator" },
        additionalPolicies: armPolicies,
      }),
  );
  const tableClient = memoise(tableClientFactory(settings, credential, options));
  let graph: ResourceGraphClient | undefined;
  let admin: PowerPlatformAdminClient | undefined;
  let publisher: EventGridPublisherClient<"EventGrid"> | undefined;

  return {
    credential,
    armHeadroom,
    keyClient,
    keyClientWithoutRetries,
    storageClient,
    resourceClient,
    authorizationClient,
    tableClient,
    resourceGraph() {
      // No subscription id: each query names its subscriptions (or none: all the identity can read).
      graph ??= new ResourceGraphClient(credential, {
        endpoint: settings.armEndpoint,
        credentials: { scopes: armScopes },
        retryOptions,
        tlsOptions,
        userAgentOptions: { userAgentPrefix: "cmk-rotator" },
      });
      return graph;
    },
    powerPlatformAdmin() {
      admin ??= createPowerPlatformAdminClient(settings.powerPlatformEndpoint, credential, options);
      return admin;
    },
    eventGridPublisher() {
      const endpoint = settings.notifyTopicEndpoint;
      if (endpoint === undefined) return undefined;
      publisher ??= new EventGridPublisherClient(
        endpoint,
        "EventGrid",
        settings.notifyTopicKey ? new AzureKeyCredential(settings.notifyTopicKey) : credential,
        {
          allowInsecureConnection: endpoint.startsWith("http:") && isLoopbackUrl(endpoint),
          retryOptions,
          tlsOptions,
        },
      );
      return publisher;
    },
  };
}
