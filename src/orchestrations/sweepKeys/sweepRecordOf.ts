// Turns the sweep's own view (keys as vault/key) into the record shape callers read (versionless key ids).
import type { VaultAllowList } from "../../lib/keys";
import type { SweepRecord } from "../../lib/sweeps";
import type { SweepRecordInput } from "./types";

/** `vault/key` as a key id; a vault no longer allow-listed keeps its path, so nothing is dropped. */
export function keyIdOfPath(path: string, allowList: VaultAllowList): string {
  const [vaultName, keyName] = path.split("/");
  if (vaultName && keyName && allowList.find(vaultName)) return allowList.keyIdOf({ vaultName, keyName });
  return path;
}

export function sweepRecordOf(input: SweepRecordInput, allowList: VaultAllowList): SweepRecord {
  return {
    id: input.id,
    status: input.status,
    reason: input.reason,
    trigger: input.trigger,
    vaultName: input.vaultName,
    force: input.force,
    counts: { ...input.counts },
    waiting: input.waiting.map((path) => keyIdOfPath(path, allowList)),
    failed: input.failed.map(({ key, detail }) => ({ keyId: keyIdOfPath(key, allowList), detail })),
    startedAt: input.startedAt,
    finishedAt: input.finishedAt,
  };
}
