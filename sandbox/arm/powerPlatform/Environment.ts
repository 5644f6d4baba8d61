// The state the emulator keeps for one Power Platform environment.
import type { KeyInUse } from "../keyAccess/ConsumerKeyAccess";

/**
 * `Locked`: the linked policy lost key access; only an admin re-enable (after access returns) brings it back.
 * `Disabled`: a link or unlink is running and the data is unavailable (Assumption, see README: Microsoft documents
 * the downtime, not the state the admin API reports meanwhile).
 */
export type EnvironmentRuntimeState = "Enabled" | "Locked" | "Disabled";

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
  /** The environment's own data key; kept in clear only inside the emulator, to wrap it anew on a move. */
  dataKey: Buffer;
  /** Its data key wrapped by the linked policy's key version, as the policy's identity (absent: Microsoft-managed). */
  protection?: KeyInUse;
}
