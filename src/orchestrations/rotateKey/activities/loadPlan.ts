// Activity: step 1, load the key and its bindings into a plan, recording a refusal when the rotation must not go ahead.
import { getServices } from "../../../lib/services";
import { planRotation } from "../planRotation";
import type { RotateKeyInput, RotationPlan } from "../types";

export type LoadPlanInput = RotateKeyInput & { nowMs: number };

/** Read-only apart from the refusal record, whose fixed id makes a second run write the same row. */
export async function loadPlan(input: LoadPlanInput): Promise<RotationPlan> {
  const services = getServices();
  const plan = await planRotation(services, input);
  if (plan.refusal) {
    await services.audit.recordDecision({
      id: `${input.rotationId}.refused`,
      kind: "rejection",
      key: { vaultName: input.vaultName, keyName: input.keyName },
      reason: plan.refusal.code,
      detail: plan.refusal.reason,
      source: `rotation ${input.rotationId} (${input.trigger})`,
      operationId: input.rotationId,
      atMs: input.nowMs,
    });
  }
  return plan;
}
