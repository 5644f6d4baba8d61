// Which keys the overview shows: every bound key and every key of an allow-listed vault, once each.
import type { KeyBinding } from "../bindings/types";
import { keyPathOf, type KeyIdentity } from "../keys";
import type { Services } from "../services";
import { readPart } from "./readPart";
import type { OverviewProblem } from "./types";

export interface OverviewKeys {
  /** Ordered by vault then key name. */
  keys: KeyIdentity[];
  bindings: Map<string, KeyBinding>;
}

const pathKey = (key: KeyIdentity) => keyPathOf(key).toLowerCase();

/** Needs read of the bindings table and keys/list on each allow-listed vault. */
export async function overviewKeys(
  services: Pick<Services, "allowList" | "bindings" | "keyVault">,
  problems: OverviewProblem[],
): Promise<OverviewKeys> {
  const bound = await services.bindings.list();
  const bindings = new Map(bound.map((binding) => [pathKey(binding.key), binding]));
  const found = new Map<string, KeyIdentity>(bound.map((binding) => [pathKey(binding.key), binding.key]));
  const perVault = await Promise.all(
    services.allowList
      .names()
      .map((vaultName) =>
        readPart(`vault ${vaultName}`, problems, [] as string[], () =>
          services.keyVault.listKeyNames(vaultName),
        ).then((names) => names.map((keyName) => ({ vaultName, keyName }))),
      ),
  );
  for (const key of perVault.flat()) if (!found.has(pathKey(key))) found.set(pathKey(key), key);
  const keys = [...found.values()].sort(
    (a, b) => a.vaultName.localeCompare(b.vaultName) || a.keyName.localeCompare(b.keyName),
  );
  return { keys, bindings };
}
