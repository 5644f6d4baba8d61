// Shapes of the steps revokeKey and restoreKey share: consumer checks and the custom status both show.
import type { RevocationRecord, TargetRecord } from "../../lib/audit";
import type { BindingTarget } from "../../lib/bindings";
import type { LinkedEnvironment } from "../../lib/consumers";

/** What revocation expects a consumer to show: Denied; restore: Accessible. */
export type ExpectedAccess = "Denied" | "Accessible";

export interface CheckTargetInput {
  operationId: string;
  /** The revoked key's versionless id (telemetry: every line of the operation carries it). */
  keyId?: string;
  target: BindingTarget;
  expect: ExpectedAccess;
  attempt: number;
  nowMs: number;
  /** Restore: re-enable Locked environments of a policy that is Healthy again. */
  reenableEnvironments?: boolean;
}

export interface CheckTargetResult {
  target: TargetRecord;
  /** Power Platform environments behind a policy target, with their state after this check. */
  environments: LinkedEnvironment[];
  /** True when the consumer does not show the expected effect yet (worth one more look later). */
  isPending: boolean;
}

/** Shown as custom status while revocation or restore runs. */
export interface RevocationCustomStatus {
  revocationId: string;
  step: string;
  status: RevocationRecord["status"];
}
