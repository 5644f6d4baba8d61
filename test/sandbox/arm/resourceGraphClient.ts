// Test support: the official ResourceGraphClient pointed at the ARM emulator, calling as a given principal.
import { ResourceGraphClient } from "@azure/arm-resourcegraph";
import { sandboxCredential } from "../../../sandbox/identity";
import { testTls } from "../../../sandbox/tls";

export const STORAGE_TYPE = "microsoft.storage/storageaccounts";
export const POLICY_TYPE = "microsoft.powerplatform/enterprisepolicies";

/** One client per principal: Resource Graph's quota is per caller, so tests keep out of each other's windows. */
export function resourceGraphClient(armUrl: string, principalId: string): ResourceGraphClient {
  return new ResourceGraphClient(sandboxCredential(principalId), {
    endpoint: armUrl,
    credentials: { scopes: [`${armUrl}/.default`] },
    tlsOptions: { ca: testTls().caPem },
    retryOptions: { maxRetries: 0 },
  });
}

/** Every row of a query, following $skipToken page by page. */
export async function queryAllPages(
  client: ResourceGraphClient,
  query: string,
  options: { subscriptions?: string[]; top?: number } = {},
): Promise<{ rows: Record<string, unknown>[]; pageSizes: number[]; totalRecords: number[] }> {
  const rows: Record<string, unknown>[] = [];
  const pageSizes: number[] = [];
  const totalRecords: number[] = [];
  let skipToken: string | undefined;
  do {
    const page = await client.resources({
      query,
      subscriptions: options.subscriptions,
      options: { top: options.top, skipToken },
    });
    rows.push(...(page.data as Record<string, unknown>[]));
    pageSizes.push(page.count);
    totalRecords.push(page.totalRecords);
    skipToken = page.skipToken;
  } while (skipToken);
  return { rows, pageSizes, totalRecords };
}
