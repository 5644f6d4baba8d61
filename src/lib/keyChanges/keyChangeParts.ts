// The Azure steps a key change takes, built once from the app's clients.
import type { AzureClients } from "../azure";
import type { ConsumerDiscovery } from "../discovery";
import { createEnterprisePolicies, type EnterprisePolicies } from "./enterprisePolicies";
import { createEnvironmentMoves, type EnvironmentMoves } from "./environmentMoves";
import { createStorageKeySwitch, type StorageKeySwitch } from "./storageKeySwitch";

export interface KeyChangeParts {
  storage: StorageKeySwitch;
  policies: EnterprisePolicies;
  environments: EnvironmentMoves;
}

export function createKeyChangeParts(clients: AzureClients, discovery: ConsumerDiscovery): KeyChangeParts {
  return {
    storage: createStorageKeySwitch(clients),
    policies: createEnterprisePolicies(clients, discovery),
    environments: createEnvironmentMoves(() => clients.powerPlatformAdmin()),
  };
}
