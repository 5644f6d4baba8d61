// The rows Resource Graph's `resources` table holds: each storage account, enterprise policy and vault as ARM GET shows it.
import type { VaultResource } from "../keyVaults/VaultResources";
import type { UserAssignedIdentities } from "../identities/UserAssignedIdentities";
import type { EnterprisePolicies } from "../powerPlatform/EnterprisePolicies";
import { policyToWire } from "../powerPlatform/policyWire";
import type { StorageAccounts } from "../storage/StorageAccounts";
import { storageAccountToWire } from "../storage/storageWire";
import type { Row } from "./kql/evaluateQuery";

export interface ResourceGraphSource {
  storage: StorageAccounts;
  policies: EnterprisePolicies;
  identities: UserAssignedIdentities;
  tenantId: string;
  /** Each vault with its ARM GET body. */
  vaults: () => Array<{ vault: VaultResource; wire: Record<string, unknown> }>;
}

/** Every row in the given subscriptions, ordered by id (ordinal) so that pages are stable. */
export function resourceGraphRows(source: ResourceGraphSource, subscriptionIds: string[]): Row[] {
  const isInScope = new Set(subscriptionIds.map((id) => id.toLowerCase()));
  const { tenantId } = source;
  const storageRows = source.storage
    .all()
    .filter((account) => isInScope.has(account.subscriptionId.toLowerCase()))
    .map((account) =>
      toRow(
        storageAccountToWire(account, tenantId, (id) => source.identities.principalFor(id)),
        account,
        tenantId,
      ),
    );
  const policyRows = source.policies
    .all()
    .filter((policy) => isInScope.has(policy.subscriptionId.toLowerCase()))
    .map((policy) => toRow(policyToWire(policy, tenantId), policy, tenantId));
  const vaultRows = source
    .vaults()
    .filter(({ vault }) => isInScope.has(vault.subscriptionId.toLowerCase()))
    .map(({ vault, wire }) => toRow(wire, vault, tenantId));
  const rows = [...storageRows, ...policyRows, ...vaultRows];
  return rows.sort((a, b) => (String(a.id) < String(b.id) ? -1 : String(a.id) > String(b.id) ? 1 : 0));
}

/** Resource Graph's columns: type and resourceGroup in lower case, absent parts as null, no systemData. */
function toRow(
  wire: Record<string, unknown>,
  resource: { subscriptionId: string; resourceGroup: string },
  tenantId: string,
): Row {
  return {
    id: wire.id,
    name: wire.name,
    type: String(wire.type).toLowerCase(),
    tenantId,
    kind: wire.kind ?? "",
    location: wire.location,
    resourceGroup: resource.resourceGroup.toLowerCase(),
    subscriptionId: resource.subscriptionId,
    managedBy: "",
    sku: wire.sku ?? null,
    plan: null,
    properties: wire.properties,
    tags: wire.tags ?? {},
    identity: wire.identity ?? null,
    zones: null,
    extendedLocation: null,
  };
}
