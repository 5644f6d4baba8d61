// Parses ARM resource ids of the shape /subscriptions/{sub}/resourceGroups/{rg}/providers/{ns}/{type}/{name}.

export interface ArmResourceId {
  subscriptionId: string;
  resourceGroup: string;
  /** e.g. Microsoft.Storage */
  providerNamespace: string;
  /** e.g. storageAccounts */
  resourceType: string;
  name: string;
}

const SUBSCRIPTION_ID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** Resource group names: 1-90 of letters, digits, _ - . ( ), not ending with a period. */
const RESOURCE_GROUP = /^[-\w.()]{0,89}[-\w()]$/;

/** Parses a top-level resource id; undefined when it does not have that shape. */
export function parseArmResourceId(resourceId: string): ArmResourceId | undefined {
  if (typeof resourceId !== "string") return undefined;
  const parts = resourceId.trim().split("/");
  if (parts.length !== 9 || parts[0] !== "") return undefined;
  const [
    ,
    subscriptions,
    subscriptionId,
    resourceGroups,
    resourceGroup,
    providers,
    providerNamespace,
    resourceType,
    name,
  ] = parts;
  if (
    subscriptions.toLowerCase() !== "subscriptions" ||
    resourceGroups.toLowerCase() !== "resourcegroups" ||
    providers.toLowerCase() !== "providers"
  ) {
    return undefined;
  }
  if (!SUBSCRIPTION_ID.test(subscriptionId) || !RESOURCE_GROUP.test(resourceGroup) || !name) return undefined;
  return { subscriptionId, resourceGroup, providerNamespace, resourceType, name };
}

/**
 * A problem with `resourceId` as an id of `{namespace}/{type}` whose name matches `namePattern`,
 * or undefined when it fits. Namespace and type compare case-insensitively, as ARM does.
 */
export function armResourceIdProblem(
  resourceId: string,
  namespace: string,
  type: string,
  namePattern: RegExp,
  nameRule: string,
): string | undefined {
  const parsed = parseArmResourceId(resourceId);
  const shape = `/subscriptions/<subscription guid>/resourceGroups/<group>/providers/${namespace}/${type}/<name>`;
  if (!parsed) return `resourceId "${String(resourceId)}" is not an ARM resource id of the form ${shape}.`;
  if (
    parsed.providerNamespace.toLowerCase() !== namespace.toLowerCase() ||
    parsed.resourceType.toLowerCase() !== type.toLowerCase()
  ) {
    return `resourceId "${resourceId}" is a ${parsed.providerNamespace}/${parsed.resourceType}, not a ${namespace}/${type}.`;
  }
  if (!namePattern.test(parsed.name))
    return `resourceId "${resourceId}" has name "${parsed.name}"; ${nameRule}.`;
  return undefined;
}

/** The last segment of a Key Vault ARM id (…/providers/Microsoft.KeyVault/vaults/{name}). */
export function vaultNameOfArmId(vaultArmId: string): string | undefined {
  const parsed = parseArmResourceId(vaultArmId);
  if (
    !parsed ||
    parsed.providerNamespace.toLowerCase() !== "microsoft.keyvault" ||
    parsed.resourceType.toLowerCase() !== "vaults"
  )
    return undefined;
  return parsed.name;
}
