// Activity: reads whether one bound consumer shows the effect of revocation (Denied) or restore (Accessible), and records it.
import type { TargetRecord, TargetStatus } from "../../../lib/audit";
import type { LinkedEnvironment } from "../../../lib/consumers";
import { describeFailure } from "../../../lib/errors";
import { getServices } from "../../../lib/services";
import { getTelemetry } from "../../../lib/telemetry";
import type { CheckTargetInput, CheckTargetResult } from "../types";

interface Verdict {
  status: TargetStatus;
  detail: string;
  isPending: boolean;
}

function judge(
  input: CheckTargetInput,
  state: string,
  detail: string,
  environments: LinkedEnvironment[],
): Verdict {
  if (state === "Unknown") return { status: "Verifying", detail, isPending: false };
  if (state !== input.expect) {
    return {
      status: "Pending",
      detail: `Expected ${input.expect}, the consumer is ${state}: ${detail}`,
      isPending: true,
    };
  }
  const enabled = environments.filter((environment) => environment.state === "Enabled");
  const locked = environments.filter((environment) => environment.state !== "Enabled");
  if (input.expect === "Denied" && enabled.length > 0) {
    return {
      status: "Pending",
      detail: `${detail} Environments not locked yet: ${enabled.map((e) => e.id).join(", ")}.`,
      isPending: true,
    };
  }
  if (input.expect === "Accessible" && locked.length > 0) {
    return {
      status: "ActionRequired",
      detail: `${detail} An admin must re-enable these environments: ${locked.map((e) => e.id).join(", ")}.`,
      isPending: false,
    };
  }
  const environmentNote =
    environments.length > 0
      ? ` Environments ${input.expect === "Denied" ? "locked" : "enabled"}: ${environments.map((e) => e.id).join(", ")}.`
      : "";
  return { status: "Verified", detail: `${detail}${environmentNote}`, isPending: false };
}

/** Re-enables Locked environments (restore, policy Healthy again); one that refuses stays Locked with the reason. */
async function reenable(
  environments: LinkedEnvironment[],
  enable: (id: string) => Promise<void>,
): Promise<LinkedEnvironment[]> {
  const after: LinkedEnvironment[] = [];
  for (const environment of environments) {
    if (environment.state === "Enabled") {
      after.push(environment);
      continue;
    }
    try {
      await enable(environment.id);
      after.push({ ...environment, state: "Enabled" });
    } catch {
      after.push(environment);
    }
  }
  return after;
}

/** Safe to run twice: reads, an idempotent re-enable, and an upserted attempt row. */
export async function checkTarget(input: CheckTargetInput): Promise<CheckTargetResult> {
  const { consumers, audit } = getServices();
  const { target } = input;
  let verdict: Verdict;
  let environments: LinkedEnvironment[] = [];
  try {
    const access = await consumers.get(target.kind).checkAccess(target);
    if (target.kind === "powerPlatformPolicy") {
      const policy = consumers.powerPlatformPolicy();
      environments = await policy.listLinkedEnvironments(target);
      if (input.expect === "Accessible" && input.reenableEnvironments && access.state === "Accessible") {
        environments = await reenable(environments, (id) => policy.enableEnvironment(id));
      }
    }
    verdict = judge(input, access.state, access.detail, environments);
  } catch (error) {
    const failure = describeFailure(error);
    verdict = {
      status: "Failed",
      detail: `${failure.code}: ${failure.message}`,
      isPending: failure.isRetryable,
    };
  }
  const record: TargetRecord = { ...target, status: verdict.status, detail: verdict.detail };
  const step =
    input.expect === "Accessible" && target.kind === "powerPlatformPolicy" && input.reenableEnvironments
      ? "enableEnvironment"
      : "checkAccess";
  getTelemetry().targetChecked({
    kind: input.expect === "Denied" ? "revocation" : "restore",
    operationId: input.operationId,
    keyId: input.keyId ?? "",
    target: target.resourceId,
    consumerKind: target.kind,
    step,
    result: verdict.status,
    detail: verdict.detail,
  });
  await audit.recordTargetAttempt({
    operationId: input.operationId,
    resourceId: target.resourceId,
    kind: target.kind,
    mode: target.mode,
    step,
    attempt: input.attempt,
    status: verdict.status,
    detail: verdict.detail,
    atMs: input.nowMs,
  });
  return { target: record, environments, isPending: verdict.isPending };
}
