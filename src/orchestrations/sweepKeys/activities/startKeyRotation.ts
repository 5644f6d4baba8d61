// Activity: starts one rotation decided by the sweep, through the same per-key singleton as the doors.
import * as df from "durable-functions";
import type { InvocationContext } from "@azure/functions";
import { auditedFirstRecord, startRotation } from "../../../starters/rotations/startRotation";
import { getServices } from "../../../lib/services";
import type { SweepStartInput, SweepStartOutcome } from "../types";

/** The durable client binding this activity declares (orchestrations themselves cannot start other instances). */
export const durableClientInput = df.input.durableClient();

/**
 * Safe to run twice: the rotation id is deterministic and a running instance is never started again
 * (nor its first record written again). Needs Storage Table Data Contributor for that record.
 * Also answers the ARM headroom this worker last saw (its rotations' calls), which the sweep lowers
 * its model of ARM's buckets with.
 */
export async function startKeyRotation(
  input: SweepStartInput,
  context: InvocationContext,
): Promise<SweepStartOutcome> {
  const services = getServices();
  const outcome = await startRotation(
    df.getClient(context),
    {
      key: input.key,
      trigger: input.trigger,
      reason: input.reason,
      mode: input.mode,
      rotationId: input.rotationId,
      ...(input.version === undefined ? {} : { version: input.version }),
      ...(input.notBeforeMs === undefined ? {} : { notBeforeMs: input.notBeforeMs }),
      ...(input.discovered === undefined ? {} : { discovered: input.discovered }),
    },
    // Written before the instance starts (nothing when it already runs), so the rotation id answers
    // GET /api/rotations/{id} while the rotation waits for its turn; the rotation replaces it once it plans.
    auditedFirstRecord(services.audit, input.key, (rotation) => ({
      id: rotation.rotationId,
      keyId: services.allowList.keyIdOf(input.key),
      status: "Running",
      reason: rotation.reason,
      trigger: rotation.trigger,
      previousVersion: null,
      newVersion: null,
      targets: [],
      startedAt: new Date().toISOString(),
      finishedAt: null,
      detail:
        input.notBeforeMs === undefined
          ? null
          : `Waiting for its turn within Azure's limits (from ${new Date(input.notBeforeMs).toISOString()}).`,
    })),
    services,
  );
  const observedHeadroom = services.clients.armHeadroom.observations();
  // A second run of this activity (at-least-once delivery) finds the rotation it started itself: that is ours.
  if (!outcome.started && outcome.reason === "RotationInProgress" && outcome.runningId === input.rotationId)
    return { started: true, rotationId: input.rotationId, instanceId: outcome.instanceId, observedHeadroom };
  return { ...outcome, observedHeadroom };
}
