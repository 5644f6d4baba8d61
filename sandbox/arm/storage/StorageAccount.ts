// The state the emulator keeps for one storage account, in domain terms (wire casing lives in storageWire.ts).
import type { ClockTimer } from "../../clock";
import type { KeyInUse } from "../keyAccess/ConsumerKeyAccess";

export type StorageKeySource = "Microsoft.Storage" | "Microsoft.Keyvault";

/** What the customer asked for in `properties.encryption`. */
export interface StorageEncryptionSettings {
  keySource: StorageKeySource;
  keyVaultUri?: string;
  keyName?: string;
  /** "" = automatic mode: the account follows the newest version once a day. */
  keyVersion?: string;
  /** ARM id of the user-assigned identity the account reaches the vault with; absent = system-assigned. */
  userAssignedIdentity?: string;
}

export interface StorageAccountIdentity {
  /** "None", "SystemAssigned", "UserAssigned" or "SystemAssigned,UserAssigned". */
  type: string;
  principalId?: string;
  userAssignedIdentityIds: string[];
}

export interface StorageAccount {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  kind: string;
  skuName: string;
  tags: Record<string, string>;
  identity: StorageAccountIdentity;
  creationTime: string;
  isHnsEnabled: boolean;
  encryption: StorageEncryptionSettings;
  /** The key version really in use, with the account key wrapped by it (Keyvault key source only). */
  keyInUse?: KeyInUse;
  lastKeyRotationTimestamp?: string;
  /** Last definitive answer of the access check; kept when Key Vault only fails transiently (429, 5xx). */
  hadDataAccess: boolean;
  provisioningState: "Succeeded" | "Updating";
  /** A write is running or accepted-but-Updating: another write is a 409. */
  isBusy: boolean;
  /** Automatic mode's daily check for a newer key version. */
  autoRotationTimer?: ClockTimer;
}
