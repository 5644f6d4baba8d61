// Which rotation a running rotateKey instance is carrying out, read from its status (not from a key version's tag).
import type { DurableOrchestrationStatus } from "durable-functions";

/** The rotation id a rotateKey instance shows (custom status first, then its input); the instance id as a last resort. */
export function rotationIdOfInstance(status: DurableOrchestrationStatus): string {
  const custom = status.customStatus as { rotationId?: unknown } | undefined;
  const input = status.input as { rotationId?: unknown } | undefined;
  if (typeof custom?.rotationId === "string") return custom.rotationId;
  if (typeof input?.rotationId === "string") return input.rotationId;
  return status.instanceId;
}
