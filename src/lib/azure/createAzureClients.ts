// The one client factory: credential, endpoints and TLS options from Settings; nothing else builds SDK clients.
import { ResourceManagementClient } from "@azure/arm-resources";
import { ResourceGraphClient } from "@azure/arm-resourcegraph";
import { StorageManagementClient } from "@azure/arm-storage";
import { AzureKeyCredential, type TokenCredential } from "@azure/core-auth";
import { TableClient } from "@azure/data-tables";
import { EventGridPublisherClient } from "@azure/eventgrid";
import { DefaultAzureCredential } from "@azure/identity";
import { KeyClient } from "@azure/keyvault-keys";
import { DomainError } from "../errors";
import type { Settings } from "../settings";
import { isLoopbackUrl } from "./loopback";
import { createPowerPlatformAdminClient } from "./powerPlatformAdminClient";
import type { AzureClientOptions, AzureClients, PowerPlatformAdminClient } from "./types";

/** The table endpoint named by a connection string, when it names one. */
function tableEndpointOf(connectionString: string): string | undefined {
  const match = /(?:^|;)\s*TableEndpoint=([^;]+)/i.exec(connectionString);
  return match?.[1].trim();
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
 * resource check only for loopback vault hosts (emulators); tables allow http only on loopback.
 */
export function createAzureClients(settings: Settings, options: AzureClientOptions = {}): AzureClients {
  const credential: TokenCredential =
    options.credential ??
    new DefaultAzureCredential(
      settings.managedIdentityClientId ? { managedIdentityClientId: settings.managedIdentityClientId } : {},
    );
  const tlsOptions = options.caPem ? { ca: options.caPem } : undefined;
  const retryOptions = options.retryOptions;
  const armScopes = [`${settings.armEndpoint}/.default`];

  const keyClient = memoise((vaultName: string) => {
    const vault = settings.allowedVaults.find(
      (candidate) => candidate.name.toLowerCase() === vaultName.toLowerCase(),
    );
    if (!vault) throw new DomainError("UnknownVault", `Vault "${vaultName}" is not in CMK_ALLOWED_VAULTS.`);
    return new KeyClient(vault.url, credential, {
      disableChallengeResourceVerification: isLoopbackUrl(vault.url),
      retryOptions,
      tlsOptions,
      userAgentOptions: { userAgentPrefix: "cmk-rotator" },
    });
  });
  const storageClient = memoise(
    (subscriptionId: string) =>
      new StorageManagementClient(credential, subscriptionId, {
        endpoint: settings.armEndpoint,
        credentials: { scopes: armScopes },
        retryOptions,
        tlsOptions,
        userAgentOptions: { userAgentPrefix: "cmk-rotator" },
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
      }),
  );
  const tableEndpoint = tableEndpointOf(settings.storageConnectionString);
  const allowInsecureTables =
    tableEndpoint !== undefined && tableEndpoint.startsWith("http:") && isLoopbackUrl(tableEndpoint);
  const tableClient = memoise((tableName: string) =>
    TableClient.fromConnectionString(settings.storageConnectionString, tableName, {
      allowInsecureConnection: allowInsecureTables,
      retryOptions,
    }),
  );
  let graph: ResourceGraphClient | undefined;
  let admin: PowerPlatformAdminClient | undefined;
  let publisher: EventGridPublisherClient<"EventGrid"> | undefined;

  return {
    credential,
    keyClient,
    storageClient,
    resourceClient,
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
