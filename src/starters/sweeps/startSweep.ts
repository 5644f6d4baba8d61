// Starts a sweep under its own instance id (`sweep:<id>`) unless one is still running: one sweep at a time, whatever fires it.
import { randomUUID } from "node:crypto";
import type { DurableClient } from "durable-functions";
import { OrchestrationRuntimeStatus } from "durable-functions";
import { DomainError, ensureError } from "../../lib/errors";
import { SWEEP_KEYS_ORCHESTRATION } from "../../orchestrations/sweepKeys/activityNames";
import { sweepIdOfInstance, sweepInstanceId } from "../../orchestrations/sweepKeys/sweepIds";
import type { SweepInput } from "../../orchestrations/sweepKeys/types";
import { startInstance } from "../startInstance";

export type SweepStartOutcome =
  { started: true; sweepId: string; instanceId: string } | { started: false; runningId: string };

const ACTIVE = [
  OrchestrationRuntimeStatus.Pending,
  OrchestrationRuntimeStatus.Running,
  OrchestrationRuntimeStatus.ContinuedAsNew,
  OrchestrationRuntimeStatus.Suspended,
];

/**
 * The id of a sweep still working, if any. The task hub is asked (not this worker's memory), so
 * every worker sees the same answer; an unreadable task hub refuses the start rather than guessing.
 */
export async function runningSweepId(client: DurableClient): Promise<string | undefined> {
  let active;
  try {
    active = await client.getStatusBy({ runtimeStatus: ACTIVE });
  } catch (error) {
    throw new DomainError(
      "DependencyUnavailable",
      `The Durable task hub could not list running sweeps (${ensureError(error).message.split("\n")[0]}); nothing was started. Try again once the Functions app's storage is reachable.`,
      { cause: error },
    );
  }
  const sweep = active.find((status) => status.name === SWEEP_KEYS_ORCHESTRATION);
  return sweep ? sweepIdOfInstance(sweep.instanceId) : undefined;
}

/**
 * Two starts at the same moment on two workers can both pass the check; the second sweep then only
 * repeats decisions (deterministic rotation ids, per-key singleton), so it makes no extra version.
 */
export async function startSweep(client: DurableClient, input: SweepInput): Promise<SweepStartOutcome> {
  const runningId = await runningSweepId(client);
  if (runningId) return { started: false, runningId };
  const sweepId = input.sweepId ?? randomUUID();
  const instanceId = sweepInstanceId(sweepId);
  const start = await startInstance(client, {
    name: SWEEP_KEYS_ORCHESTRATION,
    instanceId,
    input: { ...input, sweepId },
    nextStep: "Try again once the Functions app's storage is reachable.",
  });
  if (!start.started) return { started: false, runningId: sweepId };
  return { started: true, sweepId, instanceId };
}
