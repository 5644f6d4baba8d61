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

/** Parses `/subscriptions/{sub}/resourceGroups/{rg}/providers/{ns}/{type}/{name}`; undefined if it is not one. */
export function parseResourceId(
  id: string,
): { subscriptionId: string; resourceGroup: string; type: string; name: string } | undefined {
  const match =
    /^\/*subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/([^/]+\/[^/]+)\/([^/]+)\/?$/i.exec(id);
  if (!match) return undefined;
  return { subscriptionId: match[1], resourceGroup: match[2], type: match[3], name: match[4] };
}
