// Adapts the official ResourceGraphClient to one page read with its quota headers.
import type { ResourceGraphClient } from "@azure/arm-resourcegraph";
import { quotaResetsAfterMs, type GraphPage, type ReadGraphPage } from "./resourceGraphPages";

/** Resource Graph's page limit. */
export const MAX_PAGE_ROWS = 1000;

/**
 * One `resources` query page in objectArray format. Needs Microsoft.ResourceGraph/resources/read
 * (every principal has it) plus read on the resources themselves (Resource Graph returns only
 * what the caller may read).
 */
export function resourceGraphReader(client: ResourceGraphClient): ReadGraphPage {
  return async ({ query, scopes, skipToken }): Promise<GraphPage> => {
    let headers: { get(name: string): string | undefined } | undefined;
    const response = await client.resources(
      {
        query,
        ...(scopes.subscriptions?.length ? { subscriptions: scopes.subscriptions } : {}),
        ...(scopes.managementGroups?.length ? { managementGroups: scopes.managementGroups } : {}),
        options: { top: MAX_PAGE_ROWS, resultFormat: "objectArray", ...(skipToken ? { skipToken } : {}) },
      },
      { onResponse: (raw) => (headers = raw.headers) },
    );
    const remaining = headers?.get("x-ms-user-quota-remaining");
    const resetsAfterMs = quotaResetsAfterMs(headers?.get("x-ms-user-quota-resets-after"));
    const data: unknown = response.data;
    return {
      rows: Array.isArray(data) ? data : [],
      ...(response.skipToken ? { skipToken: response.skipToken } : {}),
      ...(remaining !== undefined && /^\d+$/.test(remaining) ? { quotaRemaining: Number(remaining) } : {}),
      ...(resetsAfterMs !== undefined ? { quotaResetsAfterMs: resetsAfterMs } : {}),
    };
  };
}
