// Activity: every key that has bindings, for the sweep to assess.
import { getServices } from "../../../lib/services";
import type { BoundKeys } from "../types";

export async function listBoundKeys(): Promise<BoundKeys> {
  const bindings = await getServices().bindings.list();
  return {
    keys: bindings.filter((binding) => binding.targets.length > 0).map((binding) => ({ ...binding.key })),
  };
}
