// Activity: lists every version (and whether it is enabled) and the bound targets before anything is disabled.
import { getServices } from "../../../lib/services";
import type { KeyActivityInput, RevocationSnapshot } from "../types";

/** Read-only, safe to run twice. Needs keys/list (never GET: a disabled key refuses it) and table read. */
export async function snapshotVersions(input: KeyActivityInput): Promise<RevocationSnapshot> {
  const { allowList, keyVault, bindings } = getServices();
  const key = allowList.identity(input.vaultName, input.keyName);
  const [versions, binding] = await Promise.all([keyVault.listVersionsUnordered(key), bindings.get(key)]);
  return {
    versions: versions.map(({ version, enabled }) => ({ version, enabled })),
    targets: (binding?.targets ?? []).map(({ kind, resourceId, mode }) => ({ kind, resourceId, mode })),
  };
}
