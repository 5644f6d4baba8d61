// Storage accounts: CRUD, customer-managed key changes checked against Key Vault, automatic mode, data-access probe.
import { randomUUID } from "node:crypto";
import type { VirtualClock } from "../../clock";
import { ArmError } from "../http/armHttp";
import type { ConsumerKeyAccess, KeyInUse } from "../keyAccess/ConsumerKeyAccess";
import { isTransientFailure } from "../keyAccess/KeyVaultDataPlane";
import type { VaultDirectory } from "../keyAccess/VaultDirectory";
import type { UserAssignedIdentities } from "../identities/UserAssignedIdentities";
import type { FaultInjector } from "../limits/Faults";
import type { StorageAccount, StorageAccountIdentity, StorageEncryptionSettings } from "./StorageAccount";
import { storageKeyVaultError } from "./storageErrors";
import type { StorageAccountChanges } from "./storageWire";

/** Storage checks the vault for a newer key version once a day in automatic mode. */
const AUTO_ROTATION_INTERVAL_MS = 86_400_000;
const ACCOUNT_NAME = /^[a-z0-9]{3,24}$/;

export interface StorageAccountsDeps {
  clock: VirtualClock;
  keyAccess: ConsumerKeyAccess;
  vaults: VaultDirectory;
  identities: UserAssignedIdentities;
  faults: FaultInjector;
}

/** Answer of the consumer probe: can the account read its data right now? */
export interface DataAccessResult {
  accountName: string;
  status: 200 | 403;
  keySource: string;
  /** The key version the account uses (`{vault}/keys/{name}/{version}`), for a customer-managed key. */
  keyId?: string;
  error?: { code: string; message: string };
}

interface PreparedEncryption {
  settings: StorageEncryptionSettings;
  keyInUse?: KeyInUse;
  isNewVersion: boolean;
}

export class StorageAccounts {
  /** By account name: storage account names are globally unique. */
  private readonly accounts = new Map<string, StorageAccount>();

  constructor(private readonly deps: StorageAccountsDeps) {}

  list(subscriptionId: string, resourceGroup?: string): StorageAccount[] {
    return [...this.accounts.values()].filter(
      (a) =>
        a.subscriptionId === subscriptionId &&
        (resourceGroup === undefined || a.resourceGroup.toLowerCase() === resourceGroup.toLowerCase()),
    );
  }

  /** Every account in every subscription. */
  all(): StorageAccount[] {
    return [...this.accounts.values()];
  }

  /**
   * Bulk seeding: adds an account built by the caller, with a key already wrapped for it (one Key Vault round trip
   * per identity instead of one per account). A taken or invalid name throws as a PUT would.
   */
  insertSeeded(account: StorageAccount, keyInUse?: KeyInUse): void {
    if (this.accounts.has(account.name.toLowerCase())) {
      throw new ArmError(
        409,
        "StorageAccountAlreadyTaken",
        `The storage account named ${account.name} is already taken.`,
      );
    }
    if (!ACCOUNT_NAME.test(account.name)) {
      throw new ArmError(400, "AccountNameInvalid", `${account.name} is not a valid storage account name.`);
    }
    this.commitEncryption(account, {
      settings: account.encryption,
      keyInUse,
      isNewVersion: keyInUse !== undefined,
    });
    this.accounts.set(account.name.toLowerCase(), account);
  }

  get(subscriptionId: string, resourceGroup: string, name: string): StorageAccount {
    const account = this.accounts.get(name.toLowerCase());
    if (
      !account ||
      account.subscriptionId !== subscriptionId ||
      account.resourceGroup.toLowerCase() !== resourceGroup.toLowerCase()
    ) {
      throw new ArmError(
        404,
        "ResourceNotFound",
        `The Resource 'Microsoft.Storage/storageAccounts/${name}' under resource group '${resourceGroup}' was not found.`,
      );
    }
    return account;
  }

  findByName(name: string): StorageAccount | undefined {
    return this.accounts.get(name.toLowerCase());
  }

  /** PUT: creates the account, or updates it when it already exists in this resource group. */
  async createOrUpdate(
    subscriptionId: string,
    resourceGroup: string,
    name: string,
    changes: StorageAccountChanges,
  ): Promise<{ account: StorageAccount; isNew: boolean }> {
    const existing = this.accounts.get(name.toLowerCase());
    if (existing) {
      if (existing.resourceGroup.toLowerCase() !== resourceGroup.toLowerCase()) {
        throw new ArmError(
          409,
          "StorageAccountAlreadyTaken",
          `The storage account named ${name} is already taken.`,
        );
      }
      return { account: await this.update(subscriptionId, resourceGroup, name, changes), isNew: false };
    }
    if (!ACCOUNT_NAME.test(name)) {
      throw new ArmError(
        400,
        "AccountNameInvalid",
        `${name} is not a valid storage account name. Storage account name must be between 3 and 24 characters in length and use numbers and lower-case letters only.`,
      );
    }
    if (!changes.location) throw new ArmError(400, "InvalidRequestContent", "'location' is required.");
    if (!changes.skuName) throw new ArmError(400, "InvalidRequestContent", "'sku.name' is required.");
    const account: StorageAccount = {
      subscriptionId,
      resourceGroup,
      name,
      location: changes.location,
      kind: changes.kind ?? "StorageV2",
      skuName: changes.skuName,
      tags: changes.tags ?? {},
      identity: this.nextIdentity({ type: "None", userAssignedIdentityIds: [] }, changes),
      creationTime: this.deps.clock.nowDate().toISOString(),
      isHnsEnabled: changes.isHnsEnabled ?? false,
      encryption: { keySource: "Microsoft.Storage" },
      provisioningState: "Succeeded",
      isBusy: false,
      hadDataAccess: true,
    };
    if (changes.encryption) {
      const prepared = await this.prepareEncryption(account, account.identity, changes.encryption);
      this.commitEncryption(account, prepared);
    }
    this.accounts.set(name.toLowerCase(), account);
    return { account, isNew: true };
  }

  /**
   * PATCH. A customer-managed key change is checked first (the account wraps and unwraps its account key with the
   * referenced version as its own identity); if that fails the PATCH fails and nothing changes.
   */
  async update(
    subscriptionId: string,
    resourceGroup: string,
    name: string,
    changes: StorageAccountChanges,
  ): Promise<StorageAccount> {
    const account = this.get(subscriptionId, resourceGroup, name);
    if (account.isBusy) {
      throw new ArmError(
        409,
        "AnotherOperationInProgress",
        `Another operation on storage account '${name}' is in progress; retry when it has finished.`,
      );
    }
    account.isBusy = true;
    let isDeferred = false;
    try {
      const identity = this.nextIdentity(account.identity, changes);
      const prepared = changes.encryption
        ? await this.prepareEncryption(account, identity, changes.encryption)
        : undefined;
      const commit = () => {
        if (changes.tags) account.tags = changes.tags;
        if (changes.kind) account.kind = changes.kind;
        if (changes.skuName) account.skuName = changes.skuName;
        if (changes.isHnsEnabled !== undefined) account.isHnsEnabled = changes.isHnsEnabled;
        account.identity = identity;
        if (prepared) this.commitEncryption(account, prepared);
      };
      const updatingMs = this.deps.faults.updatingMs();
      if (updatingMs > 0) {
        // Fault "accepted but still Updating": readers see the old settings until the change lands.
        isDeferred = true;
        account.provisioningState = "Updating";
        this.deps.clock.setTimeout(updatingMs, () => {
          commit();
          account.provisioningState = "Succeeded";
          account.isBusy = false;
        });
      } else {
        commit();
      }
      return account;
    } finally {
      if (!isDeferred) account.isBusy = false;
    }
  }

  delete(subscriptionId: string, resourceGroup: string, name: string): boolean {
    const account = this.accounts.get(name.toLowerCase());
    if (!account || account.subscriptionId !== subscriptionId) return false;
    if (account.resourceGroup.toLowerCase() !== resourceGroup.toLowerCase()) return false;
    account.autoRotationTimer?.cancel();
    this.accounts.delete(name.toLowerCase());
    return true;
  }

  /** The consumer probe: unwraps the account key with the version in use, as the account's identity, now. */
  async dataAccess(name: string): Promise<DataAccessResult> {
    const account = this.accounts.get(name.toLowerCase());
    if (!account) {
      throw new ArmError(404, "ResourceNotFound", `The storage account '${name}' was not found.`);
    }
    const keySource = account.encryption.keySource;
    if (keySource === "Microsoft.Storage") return { accountName: account.name, status: 200, keySource };
    const inUse = account.keyInUse;
    if (!inUse) {
      return {
        accountName: account.name,
        status: 403,
        keySource,
        error: { code: "KeyVaultKeyNotInUse", message: "The account has no usable customer-managed key." },
      };
    }
    const principalId = this.encryptionPrincipal(
      account,
      account.identity,
      account.encryption.userAssignedIdentity,
    );
    const check = principalId
      ? await this.deps.keyAccess.checkUnwrap(inUse, principalId)
      : ({ ok: false, status: 403, code: "NoIdentity", message: "The account has no identity." } as const);
    if (check.ok) {
      account.hadDataAccess = true;
      return { accountName: account.name, status: 200, keySource, keyId: inUse.kid };
    }
    // Storage keeps the unwrapped key while Key Vault is only throttling or failing: keep the last answer then.
    const isTransient = isTransientFailure(check);
    if (!isTransient) account.hadDataAccess = false;
    if (isTransient && account.hadDataAccess) {
      return { accountName: account.name, status: 200, keySource, keyId: inUse.kid };
    }
    return {
      accountName: account.name,
      status: 403,
      keySource,
      keyId: inUse.kid,
      error: {
        code: "KeyVaultEncryptionKeyNotFound",
        message: `The account cannot unwrap its key: Key Vault answered ${check.status} ${check.code}: ${check.message}`,
      },
    };
  }

  stop(): void {
    for (const account of this.accounts.values()) account.autoRotationTimer?.cancel();
  }

  private nextIdentity(
    current: StorageAccountIdentity,
    changes: StorageAccountChanges,
  ): StorageAccountIdentity {
    if (!changes.identity) return current;
    const type = changes.identity.type.replace(/\s/g, "");
    const hasSystem = /systemassigned/i.test(type);
    const hasUser = /userassigned/i.test(type);
    const userAssignedIdentityIds = hasUser
      ? [...new Set([...current.userAssignedIdentityIds, ...changes.identity.userAssignedIdentityIds])]
      : [];
    for (const id of userAssignedIdentityIds) this.deps.identities.principalFor(id);
    return {
      type:
        hasSystem && hasUser
          ? "SystemAssigned,UserAssigned"
          : hasSystem
            ? "SystemAssigned"
            : hasUser
              ? "UserAssigned"
              : "None",
      principalId: hasSystem ? (current.principalId ?? randomUUID()) : undefined,
      userAssignedIdentityIds,
    };
  }

  /** The principal the account reaches the vault as: its encryption user-assigned identity, else its system identity. */
  private encryptionPrincipal(
    account: StorageAccount,
    identity: StorageAccountIdentity,
    userAssignedIdentity: string | undefined,
  ): string | undefined {
    if (userAssignedIdentity) {
      const isAssociated = identity.userAssignedIdentityIds.some(
        (id) => id.toLowerCase() === userAssignedIdentity.toLowerCase(),
      );
      if (!isAssociated) {
        throw new ArmError(
          400,
          "InvalidEncryptionIdentity",
          `The user-assigned identity '${userAssignedIdentity}' is not assigned to storage account '${account.name}'.`,
        );
      }
      return this.deps.identities.principalFor(userAssignedIdentity).principalId;
    }
    return identity.principalId;
  }

  private async prepareEncryption(
    account: StorageAccount,
    identity: StorageAccountIdentity,
    requested: StorageEncryptionSettings,
  ): Promise<PreparedEncryption> {
    if (requested.keySource === "Microsoft.Storage") {
      return { settings: { keySource: "Microsoft.Storage" }, isNewVersion: false };
    }
    const userAssignedIdentity = requested.userAssignedIdentity ?? account.encryption.userAssignedIdentity;
    const settings: StorageEncryptionSettings = { ...requested, userAssignedIdentity };
    const principalId = this.encryptionPrincipal(account, identity, userAssignedIdentity);
    if (!principalId) {
      throw new ArmError(
        400,
        "InvalidEncryptionIdentity",
        "A customer-managed key needs a managed identity: assign one and name it in encryption.identity.userAssignedIdentity.",
      );
    }
    const current = account.keyInUse;
    const isUnchanged =
      current !== undefined &&
      account.encryption.keySource === "Microsoft.Keyvault" &&
      account.encryption.keyVaultUri === settings.keyVaultUri &&
      account.encryption.keyName === settings.keyName &&
      account.encryption.keyVersion === settings.keyVersion &&
      account.encryption.userAssignedIdentity === settings.userAssignedIdentity;
    if (isUnchanged) return { settings, keyInUse: current, isNewVersion: false };

    const keyId = `${settings.keyVaultUri}/keys/${settings.keyName}/${settings.keyVersion}`;
    const vaultUrl = this.deps.vaults.urlForVaultUri(settings.keyVaultUri ?? "");
    if (!vaultUrl) {
      throw new ArmError(
        400,
        "KeyVaultNotFound",
        `The key vault '${settings.keyVaultUri}' could not be found.`,
      );
    }
    const reference = { vaultUrl, keyName: settings.keyName ?? "", version: settings.keyVersion ?? "" };
    const protectedKey = await this.deps.keyAccess.protect(reference, principalId, current?.dataKey);
    if (!protectedKey.ok) throw storageKeyVaultError(protectedKey, keyId);
    const isNewVersion =
      !current ||
      current.version !== protectedKey.value.version ||
      current.keyName !== protectedKey.value.keyName;
    return { settings, keyInUse: protectedKey.value, isNewVersion };
  }

  private commitEncryption(account: StorageAccount, prepared: PreparedEncryption): void {
    account.encryption = prepared.settings;
    account.keyInUse = prepared.keyInUse;
    account.hadDataAccess = true;
    if (!prepared.keyInUse) account.lastKeyRotationTimestamp = undefined;
    else if (prepared.isNewVersion)
      account.lastKeyRotationTimestamp = this.deps.clock.nowDate().toISOString();
    account.autoRotationTimer?.cancel();
    account.autoRotationTimer = undefined;
    if (prepared.settings.keySource === "Microsoft.Keyvault" && prepared.settings.keyVersion === "") {
      this.scheduleAutoRotation(account);
    }
  }

  /** Automatic mode: once per virtual day, move to the newest enabled version (re-wrapping the same account key). */
  private scheduleAutoRotation(account: StorageAccount): void {
    const timer = this.deps.clock.setTimeout(AUTO_ROTATION_INTERVAL_MS, async () => {
      if (account.autoRotationTimer !== timer || this.accounts.get(account.name.toLowerCase()) !== account)
        return;
      await this.pickUpNewestVersion(account);
      this.scheduleAutoRotation(account);
    });
    account.autoRotationTimer = timer;
  }

  private async pickUpNewestVersion(account: StorageAccount): Promise<void> {
    const current = account.keyInUse;
    if (!current) return;
    const principalId = this.encryptionPrincipal(
      account,
      account.identity,
      account.encryption.userAssignedIdentity,
    );
    if (!principalId) return;
    const reference = { vaultUrl: current.vaultUrl, keyName: current.keyName, version: "" };
    const newest = await this.deps.keyAccess.resolveVersion(reference, principalId);
    if (!newest.ok || newest.value.version === current.version) return;
    const rewrapped = await this.deps.keyAccess.protect(
      { ...reference, version: newest.value.version },
      principalId,
      current.dataKey,
    );
    if (!rewrapped.ok) return;
    account.keyInUse = rewrapped.value;
    account.lastKeyRotationTimestamp = this.deps.clock.nowDate().toISOString();
  }
}
