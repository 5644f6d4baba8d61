// The state the emulator keeps for one Power Platform environment.

/** `Locked`: the linked policy lost key access; only an admin re-enable (after access returns) brings it back. */
export type EnvironmentRuntimeState = "Enabled" | "Locked";

export interface Environment {
  /** The environment id (a GUID in Power Platform), its `name` on the wire. */
  id: string;
  displayName: string;
  location: string;
  azureRegion: string;
  environmentSku: string;
  createdTime: string;
  /** ARM id of the linked Encryption enterprise policy. */
  linkedPolicyArmId?: string;
  runtimeState: EnvironmentRuntimeState;
  lockedAt?: string;
  /** A link or unlink is running: another one is a 409. */
  isBusy: boolean;
}
