// What POST /api/keyChanges does once the body is read: refuse conflicts, preflight, then dry-run or start changeKey.
import { randomUUID } from "node:crypto";
import type { DurableClient } from "durable-functions";
import type { KeyChangeRecord } from "../../lib/audit";
import { DomainError } from "../../lib/errors";
import {
  keyChangeInstanceId,
  keyPathOf,
  markKeyPair,
  revocationInstanceId,
  rotationInstanceId,
  type KeyIdentity,
} from "../../lib/keys";
import { planKeyChange } from "../../lib/keyChanges/planKeyChange";
import type { KeyChangePlan, KeyChangeRequest } from "../../lib/keyChanges/types";
import type { Services } from "../../lib/services";
import { CHANGE_KEY_ORCHESTRATION } from "../../orchestrations/changeKey/activityNames";
import type { ChangeKeyInput } from "../../orchestrations/changeKey/types";
import type { RotationCustomStatus } from "../../orchestrations/rotateKey/types";
import { activeInstanceStatus } from "../activeInstanceStatus";
import { revocationIdOfInstance } from "../revocations/instanceState";
import { rotationIdOfInstance } from "../rotations/rotationIdOfInstance";
import { startInstance } from "../startInstance";
import { runningKeyChangeOf } from "./runningKeyChange";

export type KeyChangeAnswer =
  | { kind: "dryRun"; plan: KeyChangePlan & { dryRun: true } }
  | { kind: "started"; id: string; instanceId: string };

function conflict(
  code: "RotationInProgress" | "RevocationInProgress" | "KeyChangeInProgress",
  message: string,
  id: string,
) {
  return new DomainError(code, message, { details: { id } });
}

/** Nothing else may be working on either key: a revocation, a rotation still writing, another change. */
async function assertKeysFree(client: DurableClient, services: Services, keys: KeyIdentity[]): Promise<void> {
  for (const key of keys) {
    const fence = await services.fences.get(key);
    if (fence)
      throw new DomainError(
        "KeyRevoked",
        `${keyPathOf(key)} is revoked by revocation ${fence.revocationId}: restore it first.`,
        {
          details: { id: fence.revocationId },
        },
      );
    const revocation = await activeInstanceStatus(client, revocationInstanceId(key));
    if (revocation)
      throw conflict(
        "RevocationInProgress",
        `Revocation ${revocationIdOfInstance(revocation)} of ${keyPathOf(key)} is running.`,
        revocationIdOfInstance(revocation),
      );
    const rotation = await activeInstanceStatus(client, rotationInstanceId(key));
    // A rotation only waiting to retire an old version writes nothing to consumers: it does not block.
    if (
      rotation &&
      (rotation.customStatus as Partial<RotationCustomStatus> | undefined)?.step !== "WaitingToRetire"
    )
      throw conflict(
        "RotationInProgress",
        `Rotation ${rotationIdOfInstance(rotation)} of ${keyPathOf(key)} is running.`,
        rotationIdOfInstance(rotation),
      );
    const change = await runningKeyChangeOf(client, services, key);
    if (change)
      throw conflict(
        "KeyChangeInProgress",
        `Key change ${change.changeId} involving ${keyPathOf(key)} is running.`,
        change.changeId,
      );
  }
}

/**
 * Resuming: environments an earlier change of the same pair unlinked but could not link are linked
 * to no policy now, so the old policy no longer lists them; they are added back from that record.
 */
async function withUnfinishedEnvironments(
  services: Services,
  request: KeyChangeRequest,
  plan: KeyChangePlan,
): Promise<KeyChangePlan> {
  const mark = await services.keyChangeMarks.get(request.from);
  if (!mark || mark.role !== "from") return plan;
  const previous = await services.audit.getKeyChange(mark.changeId);
  if (!previous || previous.toKeyId !== plan.toKeyId || plan.policies.length === 0) return plan;
  const known = new Set(
    plan.policies.flatMap((policy) => policy.environments.map((environment) => environment.id.toLowerCase())),
  );
  const stranded = previous.targets
    .filter(
      (target) =>
        target.kind === "powerPlatformEnvironment" &&
        target.status === "Failed" &&
        /Unlinked, but/.test(target.detail),
    )
    .map((target) => target.resourceId.split("/").pop() ?? "")
    .filter((id) => id && !known.has(id.toLowerCase()));
  if (stranded.length === 0) return plan;
  const [first, ...rest] = plan.policies;
  return {
    ...plan,
    policies: [
      { ...first, environments: [...first.environments, ...stranded.map((id) => ({ id }))] },
      ...rest,
    ],
  };
}

/** Refusals first (4xx, nothing written); a failed preflight is 409 PreflightFailed with its findings. */
export async function requestKeyChange(
  client: DurableClient,
  services: Services,
  request: KeyChangeRequest,
  options: { dryRun: boolean; nowMs: number },
): Promise<KeyChangeAnswer> {
  const plan = await withUnfinishedEnvironments(
    services,
    request,
    await planKeyChange(services, request, options.nowMs),
  );
  if (options.dryRun) return { kind: "dryRun", plan: { dryRun: true, ...plan } };
  if (plan.findings.length > 0) throw new PreflightFailed(plan);
  await assertKeysFree(client, services, [request.from, request.to]);
  const changeId = randomUUID();
  const instanceId = keyChangeInstanceId(request.from, request.to);
  const startedAt = new Date(options.nowMs).toISOString();
  const input: ChangeKeyInput = {
    changeId,
    from: request.from,
    to: request.to,
    reason: request.reason,
    plan,
    startedAt,
    parallelEnvironments: services.settings.keyChangeParallelEnvironments,
  };
  const first: KeyChangeRecord = {
    id: changeId,
    fromKeyId: plan.fromKeyId,
    toKeyId: plan.toKeyId,
    strategy: plan.strategy,
    status: "Running",
    reason: request.reason,
    targets: [],
    startedAt,
    finishedAt: null,
    oldKeyRetirableAfter: null,
  };
  await services.audit.putKeyChange(request.from, request.to, first);
  // Marked before the instance starts: a rotation asked for in between is already held off.
  await markKeyPair(services.keyChangeMarks, request, { changeId, instanceId });
  const start = await startInstance(client, {
    name: CHANGE_KEY_ORCHESTRATION,
    instanceId,
    input,
    withdraw: ({ reason }) =>
      services.audit.putKeyChange(request.from, request.to, {
        ...first,
        status: "Failed",
        finishedAt: new Date().toISOString(),
        detail: reason,
      }),
    nextStep: "Nothing was changed: send the request again.",
  });
  if (!start.started)
    throw conflict("KeyChangeInProgress", "A change of this key pair is already running.", instanceId);
  return { kind: "started", id: changeId, instanceId };
}

/** 409 PreflightFailed; the door adds `findings` beside the error. */
export class PreflightFailed extends DomainError {
  constructor(readonly plan: KeyChangePlan) {
    super(
      "PreflightFailed",
      `Preflight found ${plan.findings.length} problem(s); nothing was changed. Fix each finding, then send the request again.`,
    );
  }
}
