// Activity: every key that has bindings, for the sweep to assess, with what reading each costs ARM.
import { getServices } from "../../../lib/services";
import type { BoundKeys } from "../types";
import { assessmentCost, driftCheckCost } from "../workCost";

/** Reads the bindings table only. */
export async function listBoundKeys(): Promise<BoundKeys> {
  const bindings = await getServices().bindings.list();
  return {
    keys: bindings
      .filter((binding) => binding.targets.length > 0)
      .map((binding) => ({
        ...binding.key,
        assessmentCost: assessmentCost(binding.targets),
        driftCheckCost: driftCheckCost(binding.targets),
      })),
  };
}
