// Builds and checks the ARM resource ids the emulator serves.

export const STORAGE_ACCOUNT_TYPE = "Microsoft.Storage/storageAccounts";
export const ENTERPRISE_POLICY_TYPE = "Microsoft.PowerPlatform/enterprisePolicies";

export function resourceId(
  subscriptionId: string,
  resourceGroup: string,
  type: string,
  name: string,
): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${type}/${name}`;
}
