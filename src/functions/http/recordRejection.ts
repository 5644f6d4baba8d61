// Writes the one audit record a refused request leaves behind (bad input changes nothing else).
import type { InvocationContext } from "@azure/functions";
import { DomainError, ensureError } from "../../lib/errors";
import type { KeyIdentity } from "../../lib/keys";
import { getServices } from "../../lib/services";

export interface RejectionContext {
  /** The key the request was about, when the door knew it. */
  key?: KeyIdentity;
  /** When the request was refused; default: now on the wall clock. */
  atMs?: number;
  /** A finer reason than the error's code (a signed request's refusal reason); default: the code. */
  reason?: string;
}

/** Only caller mistakes are recorded; a failure to record is logged, never turned into a 5xx. */
export async function recordRejection(
  error: unknown,
  context: InvocationContext,
  source: string,
  rejection: RejectionContext = {},
): Promise<void> {
  if (!(error instanceof DomainError) || !error.isUserError) return;
  try {
    await getServices().audit.recordDecision({
      kind: "rejection",
      key: rejection.key,
      reason: rejection.reason ?? error.code,
      detail: error.message,
      source,
      atMs: rejection.atMs ?? Date.now(),
    });
  } catch (recordError) {
    context.warn(
      `${context.functionName}: could not record the rejection: ${ensureError(recordError).message}`,
    );
  }
}
