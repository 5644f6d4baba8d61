// Power Platform admin API wire shapes for environments and their enterprise policies, converted at the edge.
import type { PowerPlatformAdminClient } from "../azure/types";
import type { LinkedEnvironment } from "./types";

/** api-version of the BAP admin environment endpoints. */
export const BAP_API_VERSION = "2021-04-01";
const ENVIRONMENTS_PATH = "/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments";

interface WirePolicyLink {
  id?: string;
  systemId?: string;
  policyId?: string;
  status?: string;
  linkStatus?: string;
}

interface WireEnvironment {
  id?: string;
  name?: string;
  properties?: {
    displayName?: string;
    environmentSku?: string;
    states?: { management?: { id?: string }; runtime?: { id?: string; lockedTime?: string } };
    enterprisePolicies?: Record<string, WirePolicyLink | undefined>;
  };
}

/**
 * The environment's enterprise policy links. The admin API names the entry after the policy type
 * (CustomerManagedKeys for encryption, also seen as Encryption), so every entry is read and
 * matched by id instead of by name.
 */
function policyLinksOf(environment: WireEnvironment): WirePolicyLink[] {
  return Object.values(environment.properties?.enterprisePolicies ?? {}).filter(
    (link): link is WirePolicyLink => typeof link === "object" && link !== null,
  );
}

function toLinkedEnvironment(environment: WireEnvironment): LinkedEnvironment {
  const id = environment.name ?? environment.id?.split("/").pop() ?? "unknown";
  const states = environment.properties?.states;
  return {
    id,
    ...(environment.properties?.displayName ? { displayName: environment.properties.displayName } : {}),
    state: states?.runtime?.id ?? states?.management?.id ?? "Unknown",
    ...(environment.properties?.environmentSku
      ? { environmentSku: environment.properties.environmentSku }
      : {}),
    ...(states?.runtime?.lockedTime ? { lockedAt: states.runtime.lockedTime } : {}),
  };
}

/**
 * Environments whose encryption enterprise policy is this one (matched by ARM id or systemId,
 * case-insensitively), following nextLink pages.
 */
export async function listEnvironmentsLinkedTo(
  admin: PowerPlatformAdminClient,
  policy: { resourceId: string; systemId?: string },
): Promise<LinkedEnvironment[]> {
  const wanted = new Set([
    policy.resourceId.toLowerCase(),
    ...(policy.systemId ? [policy.systemId.toLowerCase()] : []),
  ]);
  const linked: LinkedEnvironment[] = [];
  let path: string | undefined = `${ENVIRONMENTS_PATH}?$expand=properties.enterprisePolicies`;
  let apiVersion: string | undefined = BAP_API_VERSION;
  while (path) {
    const page = (await admin.request("GET", path, { apiVersion })).body as
      { value?: WireEnvironment[]; nextLink?: string } | undefined;
    for (const environment of page?.value ?? []) {
      const isLinkedToPolicy = policyLinksOf(environment).some((link) => {
        const ids = [link.id, link.systemId, link.policyId].filter(
          (value): value is string => typeof value === "string",
        );
        const isLinked = (link.linkStatus ?? link.status ?? "Linked").toLowerCase() === "linked";
        return isLinked && ids.some((value) => wanted.has(value.toLowerCase()));
      });
      if (isLinkedToPolicy) linked.push(toLinkedEnvironment(environment));
    }
    // nextLink is absolute and already carries its api-version.
    path = page?.nextLink;
    apiVersion = undefined;
  }
  return linked;
}

/** Re-enables an environment that was locked while its key was unreachable. */
export async function enableEnvironment(
  admin: PowerPlatformAdminClient,
  environmentId: string,
): Promise<void> {
  await admin.request("POST", `${ENVIRONMENTS_PATH}/${encodeURIComponent(environmentId)}/enable`, {
    apiVersion: BAP_API_VERSION,
  });
}
