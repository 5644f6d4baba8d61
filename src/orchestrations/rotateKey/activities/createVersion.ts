// Activity: step 2, create the new key version exactly once (the rotation id tag is looked up before creating).
import { newVersionExpiryMs } from "../../../lib/bindings";
import { refusalOrRethrow } from "../../../lib/errors/failure";
import type { KeyInfo } from "../../../lib/keys";
import { getServices } from "../../../lib/services";
import type { CreatedOrRefused } from "../types";

export interface CreateVersionInput {
  rotationId: string;
  vaultName: string;
  keyName: string;
  /** ISO-8601 lifetime of the new version; its exp is orchestration time + this. */
  expiresAfter?: string;
  /** The current version the plan read (saves the gateway a Key Vault read). */
  template?: KeyInfo;
  nowMs: number;
}

/**
 * Safe to run twice: a second run finds the version tagged with this rotation id and returns it.
 * A refusal (the key is being revoked, access removed, ...) comes back as `refusal` rather than an
 * error, so the orchestration stops at once instead of retrying something that cannot succeed;
 * throttling and outages still throw and are retried.
 */
export async function createVersion(input: CreateVersionInput): Promise<CreatedOrRefused> {
  const { allowList, keyVault } = getServices();
  const key = allowList.identity(input.vaultName, input.keyName);
  const expiresOnMs = newVersionExpiryMs({ expiresAfter: input.expiresAfter }, input.nowMs);
  try {
    const { version } = await keyVault.createVersionOnce(key, input.rotationId, {
      ...(expiresOnMs === undefined ? {} : { expiresOnMs }),
      ...(input.template ? { template: input.template } : {}),
    });
    return { version: version.version, createdOnMs: version.createdOnMs || input.nowMs };
  } catch (error) {
    return refusalOrRethrow(error);
  }
}
