// Entry point of the Azure client factory.
export type {
  AzureClientOptions,
  AzureClients,
  PowerPlatformAdminClient,
  PowerPlatformAdminResponse,
} from "./types";
export { createAzureClients } from "./createAzureClients";
export { ArmHeadroom, armHeadroomPolicy, type ArmRequestKind, type HeadroomObservation } from "./armHeadroom";
export { KEY_VAULT_BACKOFF_MS, keyVaultThrottlingBackoffPolicy } from "./keyVaultThrottlingBackoff";
export { createPowerPlatformAdminClient } from "./powerPlatformAdminClient";
export { isLoopbackUrl } from "./loopback";
export { createCredential, type CredentialRequest } from "./createCredential";
