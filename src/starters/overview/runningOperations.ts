// A key's running rotation, revocation (or restore) and key change, read from the durable task hub's custom status.
import type { DurableClient, DurableOrchestrationStatus } from "durable-functions";
import type { TargetStatus } from "../../lib/audit";
import { revocationInstanceId, rotationInstanceId, type KeyIdentity } from "../../lib/keys";
import type { RunningOperation, TargetProgress } from "../../lib/overview";
import type { Services } from "../../lib/services";
import type { KeyChangeCustomStatus } from "../../orchestrations/changeKey/types";
import type { RotationCustomStatus } from "../../orchestrations/rotateKey/types";
import type { RevocationCustomStatus } from "../../orchestrations/revocationSteps/types";
import { activeInstanceStatus } from "../activeInstanceStatus";
import { runningKeyChangeOf, type RunningKeyChange } from "../keyChanges/runningKeyChange";
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

/** A change from or to this key: its progress counts consumers moved (storage accounts, policies, environments). */
function keyChangeOf({ status, changeId }: RunningKeyChange): RunningOperation {
  const custom = status.customStatus as Partial<KeyChangeCustomStatus> | undefined;
  return {
    kind: "keyChange",
    id: changeId,
    step: custom?.current ? `${custom.step ?? "PowerPlatform"} (${custom.current})` : (custom?.step ?? null),
    status: String(status.runtimeStatus),
    targets: [],
    progress: { finished: custom?.moved ?? 0, total: custom?.total ?? 0 },
    startedAt: isoOf(status.createdTime),
  };
}

/**
 * The key's rotation, revocation and key change instances while they are pending, running or
 * suspended. An unreadable task hub throws DependencyUnavailable: the page must not claim nothing runs.
 */
export async function runningOperations(
  client: DurableClient,
  services: Pick<Services, "keyChangeMarks">,
  key: KeyIdentity,
): Promise<RunningOperation[]> {
  const [rotation, revocation, keyChange] = await Promise.all([
    activeInstanceStatus(client, rotationInstanceId(key)),
    activeInstanceStatus(client, revocationInstanceId(key)),
    runningKeyChangeOf(client, services, key),
  ]);
  return [
    ...(revocation ? [revocationOf(revocation)] : []),
    ...(keyChange ? [keyChangeOf(keyChange)] : []),
    ...(rotation ? [rotationOf(rotation)] : []),
  ];
}
