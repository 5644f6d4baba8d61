// Shapes that cross the revokeKey boundary: its input and its own activities' inputs and outputs.
import type { RevocationRecord } from "../../lib/audit";
import type { BindingTarget } from "../../lib/bindings";
import type { VersionSwitchResult } from "../../lib/revocations";

export interface RevokeKeyInput {
  revocationId: string;
  vaultName: string;
  keyName: string;
  /** The record the door wrote (status Running); the orchestration completes it. */
  record: RevocationRecord;
}

export interface KeyActivityInput {
  revocationId: string;
  vaultName: string;
  keyName: string;
  nowMs: number;
}

export interface TakeOverResult {
  /** The rotation that was running and is now terminated, if any. */
  interruptedRotationId: string | null;
}

/** Every version and whether it was enabled, taken before anything is disabled; and the bound targets. */
export interface RevocationSnapshot {
  versions: Array<{ version: string; enabled: boolean }>;
  targets: BindingTarget[];
}

export interface DisableVersionsInput extends KeyActivityInput {
  /** Versions to disable (enabled in the snapshot and not yet disabled). */
  versions: string[];
  /** Every version the snapshot saw: any other version is a straggler made while revocation ran. */
  knownVersions: string[];
}

export interface DisableVersionsResult {
  results: VersionSwitchResult[];
  /** Versions not in the snapshot: `wasEnabled` true only when this call found them enabled and disabled them. */
  stragglers: Array<{ version: string; wasEnabled: boolean; isDone: boolean; detail: string }>;
}
