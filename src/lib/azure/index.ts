// Entry point of the Azure client factory.
export type {
  AzureClientOptions,
  AzureClients,
  PowerPlatformAdminClient,
  PowerPlatformAdminResponse,
} from "./types";
export { createAzureClients } from "./createAzureClients";
export { createPowerPlatformAdminClient } from "./powerPlatformAdminClient";
export { isLoopbackUrl } from "./loopback";
export { createCredential, type CredentialRequest } from "./createCredential";
