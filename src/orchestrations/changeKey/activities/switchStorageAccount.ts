// Activity: move one storage account to the new key and read back the version Storage really uses.
import { refusalOrRethrow } from "../../../lib/errors";
import { getServices } from "../../../lib/services";
import type { StepResult, SwitchStorageInput, SwitchStorageResult } from "../types";
import { assertNeitherKeyRevoked } from "./keyChangeGuard";

/**
 * Reads the account right before the PATCH (a re-run finds it moved: AlreadyApplied), then verifies
 * currentVersionedKeyIdentifier names the new key's version. A refusal (KeyRevoked while either key is
 * being revoked, Storage refusing the key) comes back as `{refusal}`; throttling and outages throw and
 * are retried. Needs storage account read/write.
 */
export async function switchStorageAccount(input: SwitchStorageInput): Promise<SwitchStorageResult> {
  try {
    return await switchOnce(input);
  } catch (error) {
    return refusalOrRethrow(error);
  }
}

async function switchOnce(input: SwitchStorageInput): Promise<StepResult> {
  const services = getServices();
  await assertNeitherKeyRevoked(services, input.from, input.to);
  const applied = await services.keyChange.storage.switchKey(input.target, {
    vaultUrl: input.toVaultUrl,
    keyName: input.to.keyName,
    ...(input.target.mode === "pinned" ? { version: input.toVersion } : {}),
  });
  const verified = await services.consumers
    .get("storageAccount")
    .verify(input.target, input.to, input.toVersion);
  const isDone = verified.state === "Verified";
  await services.audit.recordTargetAttempt({
    operationId: input.changeId,
    resourceId: input.target.resourceId,
    kind: "storageAccount",
    mode: input.target.mode,
    step: "switchKey",
    attempt: 1,
    status: isDone ? "Verified" : verified.state === "Failed" ? "Failed" : "Verifying",
    detail: `${applied.detail} ${verified.detail}`,
    atMs: input.atMs,
  });
  return { isDone, detail: `${applied.detail} ${verified.detail}` };
}
