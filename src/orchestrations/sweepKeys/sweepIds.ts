// Sweep ids and the instance ids they run under: `sweep:<id>`, one instance per run.

export const SWEEP_INSTANCE_PREFIX = "sweep:";

/** Sweep ids are ours (UUIDs), and never hold characters a route or a table key would trip on. */
export const SWEEP_ID_PATTERN = /^[0-9A-Za-z-]{1,100}$/;

export function sweepInstanceId(sweepId: string): string {
  return `${SWEEP_INSTANCE_PREFIX}${sweepId}`;
}

/** The sweep id of an instance id (`sweep:<id>`); the older fixed instance id stands for itself. */
export function sweepIdOfInstance(instanceId: string): string {
  return instanceId.startsWith(SWEEP_INSTANCE_PREFIX)
    ? instanceId.slice(SWEEP_INSTANCE_PREFIX.length)
    : instanceId;
}
