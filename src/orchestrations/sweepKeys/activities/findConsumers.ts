// Activity: one Resource Graph snapshot of what uses any key of the sweep's vaults, shared by its rotations and drift checks.
import { describeFailure } from "../../../lib/errors/failure";
import { getServices } from "../../../lib/services";
import type { ConsumerSnapshot, FindConsumersInput } from "../types";

/**
 * Two queries (and their pages) for the whole sweep instead of two per key: Resource Graph allows 15
 * per 5 s per user, so 240 rotations each asking would wait 80 s for the quota alone. Read-only. A
 * failure comes back as `failure` (each rotation then asks Resource Graph itself). Needs what
 * discovery needs (read on storage accounts and enterprise policies at CMK_DISCOVERY_SCOPES).
 */
export async function findConsumers(input: FindConsumersInput): Promise<ConsumerSnapshot> {
  try {
    return { consumers: await getServices().discovery.findInVaults(input.vaultNames) };
  } catch (error) {
    return { failure: describeFailure(error).message };
  }
}
