// What one rotation has learnt so far: shown as custom status while it runs, recorded at the end.
import type { OrchestrationContext } from "durable-functions";
import type {
  NewVersion,
  RotateKeyInput,
  RotationCustomStatus,
  RotationPlan,
  RotationRecordInput,
  RotationStatus,
  RotationStep,
  TargetState,
} from "./types";

/** The key refused a new version for a reason retrying cannot fix (revoked, access removed). */
export class RotationRefused extends Error {}

/** Everything the rotation has learnt so far; shown as custom status while it runs and recorded at the end. */
export class RotationRun {
  step: RotationStep = "LoadingKey";
  status: RotationStatus = "Running";
  plan?: RotationPlan;
  newVersion?: NewVersion;
  targets: TargetState[] = [];
  retireNotBeforeMs?: number;
  detail?: string;

  constructor(
    private readonly context: OrchestrationContext,
    readonly input: RotateKeyInput,
    readonly startedAtMs: number,
  ) {}

  show(step: RotationStep): void {
    this.step = step;
    const customStatus: RotationCustomStatus = {
      rotationId: this.input.rotationId,
      step,
      status: this.status,
      newVersion: this.newVersion?.version,
      retireNotBefore:
        this.retireNotBeforeMs === undefined ? undefined : new Date(this.retireNotBeforeMs).toISOString(),
      targets: this.targets.map(({ resourceId, kind, mode, status, detail }) => ({
        resourceId,
        kind,
        mode,
        status,
        detail,
      })),
    };
    this.context.df.setCustomStatus(customStatus);
  }

  record(finishedAtMs?: number): RotationRecordInput {
    return {
      rotationId: this.input.rotationId,
      vaultName: this.input.vaultName,
      keyName: this.input.keyName,
      keyId: this.plan?.keyId ?? "",
      status: this.status,
      trigger: this.input.trigger,
      reason: this.input.reason,
      previousVersion: this.plan?.previousVersion,
      newVersion: this.newVersion?.version,
      targets: this.targets,
      detail: this.detailForOperators(),
      startedAtMs: this.startedAtMs,
      finishedAtMs,
    };
  }

  /** Why it ended as it did, after what it went ahead without (the plan's warnings). */
  private detailForOperators(): string | undefined {
    const parts = [...(this.plan?.warnings ?? []), ...(this.detail ? [this.detail] : [])];
    return parts.length > 0 ? parts.join(" ") : undefined;
  }
}
