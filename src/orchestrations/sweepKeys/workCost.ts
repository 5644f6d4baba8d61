// What a piece of the sweep's work spends of each Azure limit, per vault or subscription (pure: no I/O).
import type { BindingMode } from "../../lib/bindings/types";
import { parseArmResourceId } from "../../lib/consumers/armResourceId";
import type { ConsumerKind } from "../../lib/consumers/types";
import {
  ASSESSMENT_READS_PER_PINNED_TARGET,
  CALLS_PER_TARGET,
  DRIFT_READS_PER_TARGET,
  type LimitName,
} from "./limits";

/** `count` requests against `limit` in `scope` (a vault name or a subscription id, lower case). */
export interface LimitCharge {
  limit: LimitName;
  scope: string;
  count: number;
}

/** Charges are wrapped in an object: activity results keep no top-level arrays. */
export interface WorkCost {
  charges: LimitCharge[];
}

/** What the cost functions read of a target. */
export interface CostedTarget {
  kind: ConsumerKind;
  mode: BindingMode;
  resourceId: string;
}

export const NO_COST: WorkCost = { charges: [] };

/** A target whose id names no subscription is charged to "unknown" (its calls will fail before spending much). */
function subscriptionOf(target: CostedTarget): string {
  return parseArmResourceId(target.resourceId)?.subscriptionId.toLowerCase() ?? "unknown";
}

/** Adds the charges up per limit and scope, in first-seen order (deterministic). */
export function sumOfCosts(costs: readonly WorkCost[]): WorkCost {
  const totals = new Map<string, LimitCharge>();
  for (const { charges } of costs) {
    for (const charge of charges) {
      if (charge.count <= 0) continue;
      const key = `${charge.limit}|${charge.scope}`;
      const total = totals.get(key);
      if (total) total.count += charge.count;
      else totals.set(key, { ...charge });
    }
  }
  return { charges: [...totals.values()] };
}

/**
 * A rotation (`isNewVersion`: one create in its vault, an HSM create for an HSM key) or a drift repair
 * (no create), and for every target what `CALLS_PER_TARGET` says its kind and mode cost.
 */
export function rotationCost(work: {
  vaultName: string;
  isNewVersion: boolean;
  isHsmKey?: boolean;
  targets: readonly CostedTarget[];
}): WorkCost {
  const charges: LimitCharge[] = [];
  if (work.isNewVersion) {
    const limit: LimitName = work.isHsmKey ? "keyVaultHsmCreates" : "keyVaultCreates";
    charges.push({ limit, scope: work.vaultName.toLowerCase(), count: 1 });
  }
  for (const target of work.targets) {
    const calls = CALLS_PER_TARGET[target.kind][target.mode];
    const scope = subscriptionOf(target);
    charges.push(
      { limit: "armReads", scope, count: calls.armReads },
      { limit: "armWrites", scope, count: calls.armWrites },
      { limit: "storageWrites", scope, count: calls.storageWrites },
    );
  }
  return sumOfCosts([{ charges }]);
}

/** An unforced assessment: the drift check may read every pinned target. */
export function assessmentCost(targets: readonly CostedTarget[]): WorkCost {
  return sumOfCosts([
    {
      charges: targets
        .filter((target) => target.mode === "pinned")
        .map((target) => ({
          limit: "armReads" as const,
          scope: subscriptionOf(target),
          count: ASSESSMENT_READS_PER_PINNED_TARGET,
        })),
    },
  ]);
}

/** The drift check of one key: every bound target read from ARM. */
export function driftCheckCost(targets: readonly CostedTarget[]): WorkCost {
  return sumOfCosts([
    {
      charges: targets.map((target) => ({
        limit: "armReads" as const,
        scope: subscriptionOf(target),
        count: DRIFT_READS_PER_TARGET,
      })),
    },
  ]);
}
