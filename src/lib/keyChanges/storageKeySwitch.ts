// Storage accounts in a key change: who decrypts (the encryption identity) and the PATCH to another vault and key.
import type { StorageAccount } from "@azure/arm-storage";
import type { AzureClients } from "../azure";
import type { BindingTarget } from "../bindings";
import {
  readStorageAccount,
  sameVaultOrigin,
  storageAccountFailure,
  storageAccountIdOf,
  type ApplyResult,
} from "../consumers";

export interface StorageKeyFacts {
  vaultUrl?: string;
  keyName?: string;
  keyVersion?: string;
  /** Principal of the identity Storage unwraps with (the user-assigned encryption identity, else the system one). */
  principalId?: string;
}

/** The key an account is moved to: vault URL, key name and the version to pin (absent: versionless). */
export interface StorageKeyTarget {
  vaultUrl: string;
  keyName: string;
  version?: string;
}

function factsOf(account: StorageAccount): StorageKeyFacts {
  const properties = account.encryption?.keyVaultProperties;
  const identityId = account.encryption?.encryptionIdentity?.encryptionUserAssignedIdentity;
  const userAssigned = Object.entries(account.identity?.userAssignedIdentities ?? {}).find(
    ([id]) => id.toLowerCase() === identityId?.toLowerCase(),
  )?.[1];
  const principalId = identityId ? userAssigned?.principalId : account.identity?.principalId;
  return {
    ...(properties?.keyVaultUri ? { vaultUrl: properties.keyVaultUri } : {}),
    ...(properties?.keyName ? { keyName: properties.keyName } : {}),
    ...(properties?.keyVersion ? { keyVersion: properties.keyVersion } : {}),
    ...(principalId ? { principalId } : {}),
  };
}

/** Needs Microsoft.Storage/storageAccounts/read and /write (Storage Account Contributor on the account). */
export function createStorageKeySwitch(clients: AzureClients) {
  return {
    /** What the account is encrypted with now and as whom it unwraps. */
    async readFacts(target: BindingTarget): Promise<StorageKeyFacts> {
      return factsOf(await readStorageAccount(clients, target));
    },

    /**
     * Reads the account right before writing it; already on the new key (and version): AlreadyApplied.
     * The PATCH keeps the account's encryption identity and services. Storage checks the key itself
     * (wrap and unwrap as the account's identity) and refuses the PATCH when it cannot use it.
     */
    async switchKey(target: BindingTarget, to: StorageKeyTarget): Promise<ApplyResult> {
      const account = await readStorageAccount(clients, target);
      const facts = factsOf(account);
      const isOnNewKey =
        sameVaultOrigin(facts.vaultUrl, to.vaultUrl) &&
        facts.keyName?.toLowerCase() === to.keyName.toLowerCase();
      if (isOnNewKey && (facts.keyVersion ?? "") === (to.version ?? "")) {
        return { outcome: "AlreadyApplied", detail: `Already on ${to.keyName} in ${to.vaultUrl}.` };
      }
      const id = storageAccountIdOf(target);
      const current = account.encryption ?? {};
      try {
        await clients.storageClient(id.subscriptionId).storageAccounts.update(id.resourceGroup, id.name, {
          encryption: {
            keySource: "Microsoft.Keyvault",
            keyVaultProperties: {
              keyVaultUri: to.vaultUrl,
              keyName: to.keyName,
              keyVersion: to.version ?? "",
            },
            ...(current.encryptionIdentity ? { encryptionIdentity: current.encryptionIdentity } : {}),
            ...(current.services ? { services: current.services } : {}),
          },
        });
      } catch (error) {
        throw storageAccountFailure(target, error);
      }
      return {
        outcome: "Applied",
        detail: `Moved from ${facts.keyName ?? "?"} in ${facts.vaultUrl ?? "?"} to ${to.keyName} in ${to.vaultUrl}${to.version ? ` (version ${to.version})` : " (versionless)"}.`,
      };
    },
  };
}

export type StorageKeySwitch = ReturnType<typeof createStorageKeySwitch>;
