// The requestId replay guard: an insert-if-absent in Table Storage, so a replay is refused even after a restart.
import type { OnceStore } from "../tables";
import { RequestRefusal } from "./RequestRefusal";

export const REQUEST_ID_SCOPE = "revocationRequest";

/** Claims the requestId for good; throws RequestRefusal("ReplayedRequest") when it was seen before. */
export async function claimRequestId(
  once: OnceStore,
  requestId: string,
  nowMs: number,
  note: string,
): Promise<void> {
  if (!(await once.claim(REQUEST_ID_SCOPE, requestId, nowMs, note))) {
    throw new RequestRefusal("ReplayedRequest");
  }
}

/**
 * Throws RequestRefusal("ReplayedRequest") when the requestId was claimed before, claiming nothing:
 * a replay is named as one before any other check answers, and a request refused by those checks
 * (or by a dependency that could not answer) can be sent again with the same requestId.
 */
export async function assertRequestIdUnseen(once: OnceStore, requestId: string): Promise<void> {
  if (await once.isClaimed(REQUEST_ID_SCOPE, requestId)) throw new RequestRefusal("ReplayedRequest");
}
