// Shapes that cross the restoreKey boundary.
import type { VersionSwitchResult } from "../../lib/revocations";

export interface RestoreKeyInput {
  revocationId: string;
  vaultName: string;
  keyName: string;
  reason: string;
  requestId: string;
  reenableEnvironments: boolean;
}

export interface EnableVersionsInput {
  revocationId: string;
  vaultName: string;
  keyName: string;
  versions: string[];
}

export interface EnableVersionsResult {
  results: VersionSwitchResult[];
}

export interface LowerFenceInput {
  revocationId: string;
  vaultName: string;
  keyName: string;
}
