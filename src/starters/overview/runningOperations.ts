// A key's running rotation and revocation (or restore), read from the durable task hub's custom status.
import type { DurableClient, DurableOrchestrationStatus } from "durable-functions";
import type { TargetStatus } from "../../lib/audit";
import { revocationInstanceId, rotationInstanceId, type KeyIdentity } from "../../lib/keys";
import type { RunningOperation, TargetProgress } from "../../lib/overview";
import type { RotationCustomStatus } from "../../orchestrations/rotateKey/types";
import type { RevocationCustomStatus } from "../../orchestrations/revocationSteps/types";
import { activeInstanceStatus } from "../activeInstanceStatus";
import { revocationIdOfInstance } from "../revocations/instanceState";

/** Target states a rotation does not move a target out of again. */
const FINISHED: ReadonlySet<TargetStatus> = new Set<TargetStatus>([
  "Verified",
  "NoWriteNeeded",
  "ActionRequired",
  "Failed",
  "Skipped",
]);

const isoOf = (value: unknown) =>
  value instanceof Date ? value.toISOString() : typeof value === "string" ? value : null;

function rotationOf(status: DurableOrchestrationStatus): RunningOperation {
  const custom = status.customStatus as Partial<RotationCustomStatus> | undefined;
  const input = status.input as { rotationId?: unknown } | undefined;
  const targets: TargetProgress[] = Array.isArray(custom?.targets)
    ? custom.targets.map((target) => ({ ...target }))
    : [];
  return {
    kind: "rotation",
    id: custom?.rotationId ?? (typeof input?.rotationId === "string" ? input.rotationId : status.instanceId),
    step: custom?.step ?? null,
    status: custom?.status ?? String(status.runtimeStatus),
    targets,
    progress: {
      finished: targets.filter((target) => FINISHED.has(target.status)).length,
      total: targets.length,
    },
    startedAt: isoOf(status.createdTime),
  };
}

function revocationOf(status: DurableOrchestrationStatus): RunningOperation {
  const custom = status.customStatus as Partial<RevocationCustomStatus> | undefined;
  return {
    kind: "revocation",
    id: revocationIdOfInstance(status),
    step: custom?.step ?? null,
    status: custom?.status ?? String(status.runtimeStatus),
    targets: [],
    progress: { finished: 0, total: 0 },
    startedAt: isoOf(status.createdTime),
  };
}

/**
 * The key's rotation and revocation instances while they are pending, running or suspended.
 * An unreadable task hub throws DependencyUnavailable: the page must not claim nothing runs.
 */
export async function runningOperations(
  client: DurableClient,
  key: KeyIdentity,
): Promise<RunningOperation[]> {
  const [rotation, revocation] = await Promise.all([
    activeInstanceStatus(client, rotationInstanceId(key)),
    activeInstanceStatus(client, revocationInstanceId(key)),
  ]);
  return [...(revocation ? [revocationOf(revocation)] : []), ...(rotation ? [rotationOf(rotation)] : [])];
}
