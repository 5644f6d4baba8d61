// Activities: start link/unlink of one environment, poll its operation, verify where it ended.
import { refusalOrRethrow } from "../../../lib/errors";
import { getServices } from "../../../lib/services";
import type {
  EnvironmentOperationInput,
  PolledOperation,
  StartedOperation,
  StepResult,
  VerifyEnvironmentInput,
} from "../types";
import { assertNeitherKeyRevoked } from "./keyChangeGuard";

/**
 * A re-run after a crash finds the environment already there and starts nothing. Starts nothing while
 * either key is being revoked: that, and any other refusal, comes back as `{refusal}`; throttling and
 * outages throw and are retried. Needs Power Platform admin.
 */
export async function startEnvironmentOperation(input: EnvironmentOperationInput): Promise<StartedOperation> {
  try {
    const services = getServices();
    await assertNeitherKeyRevoked(services, input.from, input.to);
    const started = await services.keyChange.environments.start(
      input.environmentId,
      input.operation,
      input.policy,
    );
    return started ?? { alreadyDone: true };
  } catch (error) {
    return refusalOrRethrow(error);
  }
}

/** Read-only; a 409 while polling reads as still running. Needs Power Platform admin read. */
export async function pollEnvironmentOperation(input: { operationUrl: string }): Promise<PolledOperation> {
  return getServices().keyChange.environments.poll(input.operationUrl);
}

/** Linked to the new policy and Enabled. Records the attempt. Needs Power Platform admin read. */
export async function verifyEnvironment(input: VerifyEnvironmentInput): Promise<StepResult> {
  const services = getServices();
  const { environments } = services.keyChange;
  const linkage = await environments.read(input.environmentId);
  const isLinked = environments.isSamePolicy(linkage, input.policy);
  const isDone = isLinked && linkage.state === "Enabled";
  const detail = isDone
    ? `Linked to ${input.policy.resourceId} and Enabled.`
    : `${isLinked ? "Linked to the new policy" : `Linked to ${linkage.policyId ?? "no policy"}`}, state ${linkage.state}.`;
  await services.audit.recordTargetAttempt({
    operationId: input.changeId,
    resourceId: `/providers/Microsoft.BusinessAppPlatform/environments/${input.environmentId}`,
    kind: "powerPlatformEnvironment",
    mode: "versionless",
    step: "verifyLink",
    attempt: input.attempt,
    status: isDone ? "Verified" : "Verifying",
    detail,
    atMs: input.atMs,
  });
  return { isDone, detail };
}
