// What consumer implementations get from the rest of the app: the client factory and the vault allow-list.
import type { AzureClients } from "../azure/types";
import type { VaultAllowList } from "../keys/keyId";

export interface ConsumerDeps {
  clients: Pick<AzureClients, "storageClient" | "resourceClient" | "powerPlatformAdmin">;
  allowList: VaultAllowList;
  /** Poll interval of ARM long-running operations; default: what the service's Retry-After says. */
  pollIntervalMs?: number;
}
