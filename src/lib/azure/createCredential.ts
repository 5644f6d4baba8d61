// The one credential factory: the token credential the app, and its own storage, authenticate with.
import type { TokenCredential } from "@azure/core-auth";
import { DefaultAzureCredential, ManagedIdentityCredential } from "@azure/identity";

export interface CredentialRequest {
  /** Client id of a user-assigned managed identity; undefined = system-assigned (or a developer sign-in). */
  managedIdentityClientId?: string;
  /** Only the managed identity (`AzureWebJobsStorage__credential=managedidentity`), never a developer sign-in. */
  isManagedIdentityOnly?: boolean;
}

/** DefaultAzureCredential (environment, workload identity, managed identity, developer sign-ins), or the managed identity alone. */
export function createCredential(request: CredentialRequest = {}): TokenCredential {
  const clientId = request.managedIdentityClientId;
  if (request.isManagedIdentityOnly) {
    return clientId ? new ManagedIdentityCredential({ clientId }) : new ManagedIdentityCredential();
  }
  return new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {});
}
