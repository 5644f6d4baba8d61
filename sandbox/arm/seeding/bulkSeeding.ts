// Bulk seeds for scale tests: many storage accounts or enterprise policies at once, without a request each.
import type { VirtualClock } from "../../clock";
import { ArmError } from "../http/armHttp";
import { STORAGE_ACCOUNT_TYPE, ENTERPRISE_POLICY_TYPE, resourceId } from "../http/resourceIds";
import type { UserAssignedIdentities } from "../identities/UserAssignedIdentities";
import type { ConsumerKeyAccess, KeyInUse } from "../keyAccess/ConsumerKeyAccess";
import type { VaultDirectory } from "../keyAccess/VaultDirectory";
import type { EnterprisePolicies } from "../powerPlatform/EnterprisePolicies";
import type { StorageAccounts } from "../storage/StorageAccounts";
import { storageKeyVaultError } from "../storage/storageErrors";
import type { Subscriptions } from "../subscriptions/Subscriptions";

/** The body every seeded Encryption policy is created with (one seed or many). */
export function encryptionPolicyBody(
  seed: { location?: string; keyName: string; keyVersion?: string },
  keyVaultId: string,
  principalId?: string,
) {
  return {
    location: seed.location ?? "europe",
    kind: "Encryption",
    tags: {},
    identityType: "SystemAssigned" as const,
    ...(principalId === undefined ? {} : { principalId }),
    encryption: {
      state: "Enabled" as const,
      keyVaultId,
      keyName: seed.keyName,
      keyVersion: seed.keyVersion || undefined,
    },
  };
}
import type { EnterprisePolicyBulkSeed, SeededInBulk, StorageAccountBulkSeed } from "../types";

export interface BulkSeedingDeps {
  clock: VirtualClock;
  subscriptions: Subscriptions;
  defaultResourceGroup: string;
  keyVaults: Record<string, string>;
  vaults: VaultDirectory;
  keyAccess: ConsumerKeyAccess;
  identities: UserAssignedIdentities;
  storage: StorageAccounts;
  policies: EnterprisePolicies;
}

const MAX_BULK = 20_000;

/**
 * `count` accounts named `{namePrefix}{00000…}`, spread round-robin over `subscriptionIds` (default: all). The
 * accounts of one subscription share one user-assigned identity, so a customer-managed key costs one wrap per
 * subscription, not one per account.
 */
export async function seedStorageAccountsInBulk(
  deps: BulkSeedingDeps,
  seed: StorageAccountBulkSeed,
): Promise<SeededInBulk> {
  const prefix = seed.namePrefix ?? "stbulk";
  const subscriptionIds = targetSubscriptions(deps.subscriptions, seed.count, seed.subscriptionIds);
  const resourceGroup = seed.resourceGroup ?? deps.defaultResourceGroup;
  const cmk = seed.customerManagedKey;
  const keyVaultUri = cmk
    ? (cmk.vaultUri ?? (cmk.vaultName ? deps.keyVaults[cmk.vaultName] : undefined))
    : undefined;
  if (cmk && !keyVaultUri)
    throw new ArmError(
      400,
      "KeyVaultNotFound",
      "Unknown vault: give customerManagedKey.vaultName of a known vault or vaultUri.",
    );
  const identityOf = new Map<string, { id: string; keyInUse?: KeyInUse }>();
  for (const subscriptionId of new Set(subscriptionIds)) {
    const id = resourceId(
      subscriptionId,
      resourceGroup,
      "Microsoft.ManagedIdentity/userAssignedIdentities",
      `${prefix}-cmk-identity`,
    );
    const { principalId } = deps.identities.principalFor(id);
    identityOf.set(subscriptionId, {
      id,
      keyInUse: cmk && keyVaultUri ? await protect(deps, keyVaultUri, cmk, principalId) : undefined,
    });
  }
  const width = Math.max(5, String(seed.count - 1).length);
  const ids: string[] = [];
  const creationTime = deps.clock.nowDate().toISOString();
  subscriptionIds.forEach((subscriptionId, index) => {
    const name = `${prefix}${String(index).padStart(width, "0")}`;
    const identity = identityOf.get(subscriptionId);
    if (!identity) return;
    deps.storage.insertSeeded(
      {
        subscriptionId,
        resourceGroup,
        name,
        location: seed.location ?? "westeurope",
        kind: "StorageV2",
        skuName: "Standard_LRS",
        tags: {},
        identity: { type: "UserAssigned", userAssignedIdentityIds: [identity.id] },
        creationTime,
        isHnsEnabled: true,
        encryption: cmk
          ? {
              keySource: "Microsoft.Keyvault",
              keyVaultUri,
              keyName: cmk.keyName,
              keyVersion: cmk.keyVersion ?? "",
              userAssignedIdentity: identity.id,
            }
          : { keySource: "Microsoft.Storage" },
        provisioningState: "Succeeded",
        isBusy: false,
        hadDataAccess: true,
      },
      identity.keyInUse ? { ...identity.keyInUse } : undefined,
    );
    ids.push(resourceId(subscriptionId, resourceGroup, STORAGE_ACCOUNT_TYPE, name));
  });
  return { count: ids.length, ids };
}

/** `count` Encryption policies named `{namePrefix}-{00000…}`; health stays Undetermined until one is read by ARM. */
export function seedEnterprisePoliciesInBulk(
  deps: BulkSeedingDeps,
  seed: EnterprisePolicyBulkSeed,
): SeededInBulk {
  const prefix = seed.namePrefix ?? "ep-bulk";
  const subscriptionIds = targetSubscriptions(deps.subscriptions, seed.count, seed.subscriptionIds);
  const resourceGroup = seed.resourceGroup ?? deps.defaultResourceGroup;
  const keyVaultId =
    seed.keyVaultId ??
    (seed.keyVaultName
      ? resourceId(
          deps.subscriptions.primaryId,
          deps.defaultResourceGroup,
          "Microsoft.KeyVault/vaults",
          seed.keyVaultName,
        )
      : undefined);
  if (!keyVaultId) throw new ArmError(400, "InvalidRequestContent", "Give keyVaultName or keyVaultId.");
  const width = Math.max(5, String(seed.count - 1).length);
  const ids = subscriptionIds.map((subscriptionId, index) => {
    const name = `${prefix}-${String(index).padStart(width, "0")}`;
    deps.policies.createOrUpdate(
      subscriptionId,
      resourceGroup,
      name,
      encryptionPolicyBody(seed, keyVaultId),
      true,
    );
    return resourceId(subscriptionId, resourceGroup, ENTERPRISE_POLICY_TYPE, name);
  });
  return { count: ids.length, ids };
}

/** The subscription of each of `count` resources, round-robin over the named (or all) subscriptions. */
function targetSubscriptions(subscriptions: Subscriptions, count: number, named?: string[]): string[] {
  if (!Number.isInteger(count) || count < 1 || count > MAX_BULK)
    throw new ArmError(400, "InvalidRequestContent", `'count' must be an integer 1..${MAX_BULK}.`);
  const ids = (named && named.length > 0 ? named : subscriptions.ids()).map((id) =>
    subscriptions.require(id),
  );
  return Array.from({ length: count }, (_, index) => ids[index % ids.length]);
}

async function protect(
  deps: BulkSeedingDeps,
  keyVaultUri: string,
  cmk: { keyName: string; keyVersion?: string },
  principalId: string,
): Promise<KeyInUse> {
  const vaultUrl = deps.vaults.urlForVaultUri(keyVaultUri);
  const keyId = `${keyVaultUri}/keys/${cmk.keyName}/${cmk.keyVersion ?? ""}`;
  if (!vaultUrl)
    throw new ArmError(400, "KeyVaultNotFound", `The key vault '${keyVaultUri}' could not be found.`);
  const result = await deps.keyAccess.protect(
    { vaultUrl, keyName: cmk.keyName, version: cmk.keyVersion ?? "" },
    principalId,
  );
  if (!result.ok) throw storageKeyVaultError(result, keyId);
  return result.value;
}
