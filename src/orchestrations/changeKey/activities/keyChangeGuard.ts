// Before every write of a key change: neither key may be under a revocation fence.
import { DomainError } from "../../../lib/errors";
import { keyPathOf, type KeyIdentity } from "../../../lib/keys";
import type { Services } from "../../../lib/services";

/**
 * A revocation of either key stops the change: nothing more is written once its fence is up. Throws
 * KeyRevoked, which the guarded activities answer as `{refusal}` for the orchestration to decide on.
 */
export async function assertNeitherKeyRevoked(
  services: Services,
  from: KeyIdentity,
  to: KeyIdentity,
): Promise<void> {
  for (const key of [from, to]) {
    const fence = await services.fences.get(key);
    if (fence)
      throw new DomainError(
        "KeyRevoked",
        `Stopped: ${keyPathOf(key)} is being revoked (revocation ${fence.revocationId}); nothing more was changed.`,
      );
  }
}
