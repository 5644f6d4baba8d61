// Activity: disables the snapshot's enabled versions in parallel, then any straggler a stopped rotation made meanwhile.
import { disableVersions as disableAll } from "../../../lib/revocations";
import { getServices } from "../../../lib/services";
import type { DisableVersionsInput, DisableVersionsResult } from "../types";

/**
 * Safe to run twice (disabling is idempotent). Stragglers: the fence is checked right before a
 * version is created, so a rotation activity already past that check may still add one; a second
 * listing catches it. Needs keys/update and keys/list.
 */
export async function disableVersions(input: DisableVersionsInput): Promise<DisableVersionsResult> {
  const { allowList, keyVault } = getServices();
  const key = allowList.identity(input.vaultName, input.keyName);
  const results = await disableAll(keyVault, key, input.versions);
  const known = new Set(input.knownVersions);
  const unknown = (await keyVault.listVersionsUnordered(key)).filter(
    (version) => !known.has(version.version),
  );
  const enabledStragglers = unknown.filter((version) => version.enabled).map((version) => version.version);
  const straggled = new Map(
    (await disableAll(keyVault, key, enabledStragglers)).map((result) => [result.version, result]),
  );
  return {
    results,
    // A straggler already disabled when we saw it is never claimed as ours, so restore never enables it.
    stragglers: unknown.map((version) => {
      const result = straggled.get(version.version);
      return result
        ? { version: version.version, wasEnabled: true, isDone: result.isDone, detail: result.detail }
        : { version: version.version, wasEnabled: false, isDone: true, detail: "" };
    }),
  };
}
