// The state the emulator keeps for one Power Platform enterprise policy, in domain terms.
import type { ClockTimer } from "../../clock";
import type { KeyInUse } from "../keyAccess/ConsumerKeyAccess";

export type PolicyHealth = "Undetermined" | "Healthy" | "Warning" | "Unhealthy";

/** `properties.encryption` of an Encryption policy. */
export interface PolicyEncryption {
  state: string;
  /** ARM id of the vault; its last segment names the Key Vault emulator vault. */
  keyVaultId: string;
  keyName: string;
  /** Absent = versionless: the policy follows the newest version, picked up once a day. */
  keyVersion?: string;
}

export interface EnterprisePolicy {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  kind: string;
  tags: Record<string, string>;
  /** The system-assigned identity the policy reaches Key Vault with. */
  principalId: string;
  systemId: string;
  encryption?: PolicyEncryption;
  keyInUse?: KeyInUse;
  health: PolicyHealth;
  provisioningState: "Succeeded" | "Creating" | "Updating";
  isBusy: boolean;
  createdAt: string;
  lastModifiedAt: string;
  /** Versionless policies: the daily pick-up of a newer key version. */
  pickUpTimer?: ClockTimer;
}
