// Power Platform admin API (BAP) wire shapes for environments and link/unlink operations.
import type { AsyncOperation } from "../operations/AsyncOperations";
import type { EnterprisePolicy } from "./EnterprisePolicy";
import { EnterprisePolicies } from "./EnterprisePolicies";
import type { Environment } from "./Environment";

export const BAP_PROVIDER = "providers/Microsoft.BusinessAppPlatform";

/** An environment as `GET …/scopes/admin/environments/{id}` returns it. */
export function environmentToWire(
  environment: Environment,
  policy: EnterprisePolicy | undefined,
): Record<string, unknown> {
  const properties: Record<string, unknown> = {
    displayName: environment.displayName,
    azureRegion: environment.azureRegion,
    environmentSku: environment.environmentSku,
    createdTime: environment.createdTime,
    provisioningState: "Succeeded",
    states: {
      management: { id: "Ready" },
      runtime: {
        id: environment.runtimeState,
        ...(environment.lockedAt ? { lockedTime: environment.lockedAt } : {}),
      },
    },
    protectionStatus: { keyManagedBy: policy ? "Customer" : "Microsoft" },
  };
  if (policy) {
    properties.enterprisePolicies = {
      CustomerManagedKeys: {
        id: EnterprisePolicies.armId(policy),
        systemId: policy.systemId,
        location: policy.location,
        linkStatus: "Linked",
      },
    };
  }
  return {
    id: `/${BAP_PROVIDER}/scopes/admin/environments/${environment.id}`,
    type: "Microsoft.BusinessAppPlatform/scopes/environments",
    location: environment.location,
    name: environment.id,
    properties,
  };
}

/** A link/unlink operation as its `operation-location` returns it (`state.id`: Running, Succeeded, Failed). */
export function environmentOperationToWire(operation: AsyncOperation): Record<string, unknown> {
  const state = operation.status === "InProgress" ? "Running" : operation.status;
  return {
    id: operation.id,
    name: operation.id,
    state: { id: state },
    createdDateTime: operation.startTime,
    ...(operation.endTime ? { lastActionDateTime: operation.endTime } : {}),
    ...(operation.error ? { error: operation.error } : {}),
  };
}
