// The state one changeKey run carries between steps: targets and where each is, shown as custom status.
import type { OrchestrationContext } from "durable-functions";
import type { KeyChangeRecord, KeyChangeTargetRecord, RotationStatus } from "../../lib/audit";
import type { ChangeKeyInput, KeyChangeStep } from "./types";

export const environmentResourceId = (environmentId: string) =>
  `/providers/Microsoft.BusinessAppPlatform/environments/${environmentId}`;

export class KeyChangeRun {
  readonly targets: KeyChangeTargetRecord[];
  status: RotationStatus = "Running";
  detail: string | null = null;
  finishedAt: string | null = null;
  oldKeyRetirableAfter: string | null = null;

  constructor(
    private readonly context: OrchestrationContext,
    readonly input: ChangeKeyInput,
  ) {
    const { plan } = input;
    this.targets = [
      ...plan.storageAccounts.map((account) => ({
        resourceId: account.resourceId,
        kind: "storageAccount" as const,
        status: "Pending" as const,
        detail: "",
      })),
      ...plan.policies.flatMap((policy) => [
        {
          resourceId: policy.resourceId,
          kind: "powerPlatformPolicy" as const,
          status: "Pending" as const,
          detail: "",
        },
        ...policy.environments.map((environment) => ({
          resourceId: environmentResourceId(environment.id),
          kind: "powerPlatformEnvironment" as const,
          status: "Pending" as const,
          detail: environment.displayName ?? "",
        })),
      ]),
    ];
  }

  set(resourceId: string, status: KeyChangeTargetRecord["status"], detail: string): void {
    const target = this.targets.find((candidate) => candidate.resourceId === resourceId);
    if (target) Object.assign(target, { status, detail });
  }

  show(step: KeyChangeStep, current?: string): void {
    this.context.df.setCustomStatus({
      changeId: this.input.changeId,
      step,
      moved: this.targets.filter((target) => target.status === "Verified").length,
      total: this.targets.length,
      ...(current ? { current } : {}),
    });
  }

  record(): KeyChangeRecord {
    const { input } = this;
    return {
      id: input.changeId,
      fromKeyId: input.plan.fromKeyId,
      toKeyId: input.plan.toKeyId,
      strategy: input.plan.strategy,
      status: this.status,
      reason: input.reason,
      targets: this.targets.map((target) => ({ ...target })),
      startedAt: input.startedAt,
      finishedAt: this.finishedAt,
      oldKeyRetirableAfter: this.oldKeyRetirableAfter,
      detail: this.detail,
    };
  }
}
