// Writes the one audit record a refused request leaves behind (bad input changes nothing else).
import type { InvocationContext } from "@azure/functions";
import { DomainError, ensureError } from "../../lib/errors";
import type { KeyIdentity } from "../../lib/keys";
import { getServices } from "../../lib/services";

/** Only caller mistakes are recorded; a failure to record is logged, never turned into a 5xx. */
export async function recordRejection(
  error: unknown,
  context: InvocationContext,
  source: string,
  key?: KeyIdentity,
): Promise<void> {
  if (!(error instanceof DomainError) || !error.isUserError) return;
  try {
    await getServices().audit.recordDecision({
      kind: "rejection",
      key,
      reason: error.code,
      detail: error.message,
      source,
      atMs: Date.now(),
    });
  } catch (recordError) {
    context.warn(
      `${context.functionName}: could not record the rejection: ${ensureError(recordError).message}`,
    );
  }
}
