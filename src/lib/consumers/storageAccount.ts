// Consumer kind storageAccount: an Azure Storage account encrypted with the key (pinned: PATCH keyversion; versionless: Storage polls daily).
import type { Encryption, StorageAccount } from "@azure/arm-storage";
import type { AzureClients } from "../azure/types";
import type { BindingTarget } from "../bindings/types";
import { DomainError, fromAzureError } from "../errors";
import { versionOfKeyId } from "../keys/keyId";
import type { KeyIdentity, KeyType } from "../keys/types";
import { sameVaultOrigin } from "./referenceUsesKey";
import { armResourceIdProblem, parseArmResourceId, type ArmResourceId } from "./armResourceId";
import type { ConsumerDeps } from "./deps";
import type {
  AccessCheck,
  ApplyResult,
  Consumer,
  ConsumerReference,
  ConsumerSpec,
  VerifyResult,
} from "./types";

const STORAGE_ACCOUNT_NAME = /^[a-z0-9]{3,24}$/;
const ACCEPTED_RSA_SIZES = [2048, 3072, 4096];

export const storageAccountSpec: ConsumerSpec = {
  kind: "storageAccount",
  description: "Azure Storage account (ADLS Gen2) with a customer-managed key",
  resourceIdExample:
    "/subscriptions/<guid>/resourceGroups/<group>/providers/Microsoft.Storage/storageAccounts/<name>",
  resourceIdProblem: (resourceId) =>
    armResourceIdProblem(
      resourceId,
      "Microsoft.Storage",
      "storageAccounts",
      STORAGE_ACCOUNT_NAME,
      "storage account names are 3-24 lower-case letters and digits",
    ),
  keyProblem: (keyType: KeyType, keySize: number | undefined) =>
    (keyType === "RSA" || keyType === "RSA-HSM") &&
    keySize !== undefined &&
    ACCEPTED_RSA_SIZES.includes(keySize)
      ? undefined
      : `Azure Storage accepts RSA keys of 2048, 3072 or 4096 bits, not ${keyType}${keySize ? ` ${keySize}` : ""}.`,
  // Versionless accounts poll the vault once a day: the old version must outlive that.
  minimumRetireAfter: "P2D",
};

/** The account's subscription, resource group and name (InvalidBinding when the id is not one). */
export function storageAccountIdOf(target: BindingTarget): ArmResourceId {
  const parsed = parseArmResourceId(target.resourceId);
  if (!parsed)
    throw new DomainError(
      "InvalidBinding",
      storageAccountSpec.resourceIdProblem(target.resourceId) ?? "bad resource id",
    );
  return parsed;
}

/** An ARM failure about a storage account, translated once (404: ResourceNotFound). */
export function storageAccountFailure(target: BindingTarget, error: unknown) {
  return fromAzureError(error, {
    dependency: "Azure Resource Manager",
    subject: `storage account ${target.resourceId}`,
    notFoundCode: "ResourceNotFound",
  });
}

/** The account as ARM shows it now. Needs Microsoft.Storage/storageAccounts/read. */
export async function readStorageAccount(
  clients: Pick<AzureClients, "storageClient">,
  target: BindingTarget,
): Promise<StorageAccount> {
  const id = storageAccountIdOf(target);
  try {
    return await clients
      .storageClient(id.subscriptionId)
      .storageAccounts.getProperties(id.resourceGroup, id.name);
  } catch (error) {
    throw storageAccountFailure(target, error);
  }
}

/** Builds the storageAccount consumer. Needs Microsoft.Storage/storageAccounts/read and /write (Storage Account Contributor). */
export function createStorageAccountConsumer(deps: ConsumerDeps): Consumer {
  const referenceOf = (target: BindingTarget, account: StorageAccount): ConsumerReference => {
    const encryption = account.encryption;
    const properties = encryption?.keyVaultProperties;
    if (encryption?.keySource?.toLowerCase() !== "microsoft.keyvault" || !properties?.keyName) {
      throw new DomainError(
        "TargetMismatch",
        `Storage account ${target.resourceId} is not encrypted with a Key Vault key (keySource ${encryption?.keySource ?? "unset"}).`,
      );
    }
    return {
      vaultUrl: properties.keyVaultUri,
      keyName: properties.keyName,
      ...(properties.keyVersion ? { configuredVersion: properties.keyVersion } : {}),
      ...(versionOfKeyId(properties.currentVersionedKeyIdentifier)
        ? { versionInUse: versionOfKeyId(properties.currentVersionedKeyIdentifier) }
        : {}),
    };
  };

  /** The PATCH body's encryption: the account's own key, identity and services as just read, the new version. */
  const encryptionFor = (current: Encryption, reference: ConsumerReference, version: string): Encryption => ({
    keySource: "Microsoft.Keyvault",
    keyVaultProperties: {
      keyName: reference.keyName,
      keyVersion: version,
      keyVaultUri: reference.vaultUrl,
    },
    ...(current.encryptionIdentity ? { encryptionIdentity: current.encryptionIdentity } : {}),
    ...(current.services ? { services: current.services } : {}),
    ...(current.requireInfrastructureEncryption !== undefined
      ? { requireInfrastructureEncryption: current.requireInfrastructureEncryption }
      : {}),
  });

  /** Refuses to touch an account that uses another key than the binding says. */
  const assertUsesKey = (target: BindingTarget, reference: ConsumerReference, key: KeyIdentity): void => {
    const vaultUrl = deps.allowList.urlOf(key.vaultName);
    if (
      !sameVaultOrigin(reference.vaultUrl, vaultUrl) ||
      reference.keyName.toLowerCase() !== key.keyName.toLowerCase()
    ) {
      throw new DomainError(
        "TargetMismatch",
        `Storage account ${target.resourceId} uses key ${reference.keyName} in ${reference.vaultUrl ?? "no vault"}, not ${key.keyName} in ${vaultUrl}: fix the binding or the account.`,
      );
    }
  };

  return {
    kind: "storageAccount",

    /** Needs Microsoft.Storage/storageAccounts/read. */
    async readCurrentReference(target) {
      return referenceOf(target, await readStorageAccount(deps.clients, target));
    },

    /**
     * Pinned: reads the account, then PATCHes keyversion, keeping the vault, key and identity it just
     * read, so a change made since the rotation started is never written back (needs
     * Microsoft.Storage/storageAccounts/read and /write). Versionless: read only, no write.
     */
    async applyVersion(target, key, version): Promise<ApplyResult> {
      const account = await readStorageAccount(deps.clients, target);
      const reference = referenceOf(target, account);
      assertUsesKey(target, reference, key);
      if (target.mode === "versionless") {
        if (reference.configuredVersion) {
          return {
            outcome: "ActionRequired",
            detail: `Bound as versionless but the account pins version ${reference.configuredVersion}: set its key version to automatic (keyversion "") or bind it as pinned.`,
          };
        }
        return {
          outcome: "NoWriteNeeded",
          detail: "Versionless: Storage picks up the newest version within 24 hours.",
        };
      }
      if (reference.configuredVersion === version)
        return { outcome: "AlreadyApplied", detail: `Already pinned to version ${version}.` };
      const id = storageAccountIdOf(target);
      let updated: StorageAccount;
      try {
        updated = await deps.clients
          .storageClient(id.subscriptionId)
          .storageAccounts.update(id.resourceGroup, id.name, {
            encryption: encryptionFor(account.encryption ?? {}, reference, version),
          });
      } catch (error) {
        throw storageAccountFailure(target, error);
      }
      const versionInUse = versionOfKeyId(
        updated.encryption?.keyVaultProperties?.currentVersionedKeyIdentifier,
      );
      return {
        outcome: "Applied",
        detail: `Pinned to version ${version} (was ${reference.configuredVersion ?? "none"}).`,
        ...(versionInUse ? { versionInUse } : {}),
      };
    },

    /** Reads currentVersionedKeyIdentifier: the version Storage really uses. Needs Microsoft.Storage/storageAccounts/read. */
    async verify(target, key, expectedVersion): Promise<VerifyResult> {
      const account = await readStorageAccount(deps.clients, target);
      const reference = referenceOf(target, account);
      assertUsesKey(target, reference, key);
      const versionInUse = reference.versionInUse;
      if (versionInUse === expectedVersion)
        return { state: "Verified", versionInUse, detail: `Uses version ${expectedVersion}.` };
      // An accepted write can leave the account Updating with its previous settings for a while.
      const provisioningState = account.provisioningState ?? "Succeeded";
      if (provisioningState !== "Succeeded") {
        return {
          state: "Pending",
          versionInUse,
          detail: `Account is ${provisioningState}; still uses ${versionInUse ?? "an unknown version"}.`,
        };
      }
      if (target.mode === "pinned" && reference.configuredVersion !== expectedVersion) {
        return {
          state: "Failed",
          versionInUse,
          detail: `Pinned to ${reference.configuredVersion ?? "no version"}, not ${expectedVersion}.`,
        };
      }
      return {
        state: "Pending",
        versionInUse,
        detail: `Still uses ${versionInUse ?? "an unknown version"}; Storage has not picked up ${expectedVersion} yet.`,
      };
    },

    /** Storage does not report key access through ARM; data-plane 403s are the only signal. */
    checkAccess(): Promise<AccessCheck> {
      return Promise.resolve({
        state: "Unknown",
        detail: "Azure Storage does not report key access through ARM; probe data access to know.",
      });
    },
  };
}
