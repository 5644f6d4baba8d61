// Starts a sweep under its own instance id (`sweep:<id>`) unless one is still running: one sweep at a time, whatever fires it.
import { randomUUID } from "node:crypto";
import type { DurableClient } from "durable-functions";
import { OrchestrationRuntimeStatus } from "durable-functions";
import { DomainError, ensureError } from "../../lib/errors";
import type { LeaseStore } from "../../lib/tables";
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

/** The lease that makes check-then-start one step across workers. */
export const SWEEP_START_LEASE = "sweep-start";

/** Longer than a check and a start take; a worker that dies holding it blocks sweeps no longer than this. */
export const SWEEP_START_LEASE_MS = 60_000;

/**
 * Starts a sweep unless one is running, as one step across every worker: the check and the start
 * happen under a Table Storage lease (a conditional insert, ETag-guarded once expired), so two
 * starts at the same instant on two workers cannot both start; the one without the lease answers
 * with the holder's sweep id (a 409 at the door). The lease is given back once the instance exists,
 * from then on the task hub's answer is the check. Needs the task hub and Storage Table Data
 * Contributor on the app's tables.
 */
export async function startSweep(
  client: DurableClient,
  leases: LeaseStore,
  input: SweepInput,
  nowMs: number = Date.now(),
): Promise<SweepStartOutcome> {
  const sweepId = input.sweepId ?? randomUUID();
  const lease = await leases.acquire(SWEEP_START_LEASE, sweepId, SWEEP_START_LEASE_MS, nowMs);
  if (!lease.isHeld) return { started: false, runningId: lease.holder };
  try {
    const runningId = await runningSweepId(client);
    if (runningId) return { started: false, runningId };
    const instanceId = sweepInstanceId(sweepId);
    const start = await startInstance(client, {
      name: SWEEP_KEYS_ORCHESTRATION,
      instanceId,
      input: { ...input, sweepId },
      nextStep: "Try again once the Functions app's storage is reachable.",
    });
    if (!start.started) return { started: false, runningId: sweepId };
    return { started: true, sweepId, instanceId };
  } finally {
    await lease.release();
  }
}
