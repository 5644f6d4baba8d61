// Seeds a key change end to end: an old key with a pinned storage account and a versionless policy linked to two
// environments, a new key in the RBAC vault; plus helpers to post a change and drive it to its end.
import type { KeyChangeRecord } from "../../../src/lib/audit";
import { KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER } from "../../../sandbox/launcher/keyVaultRbac";
import { putBinding, type E2eStack } from "../../support/e2eStack";

export const OLD_VAULT = "kv-change-old";
export const NEW_VAULT = "kv-change-new";
/** An old key's vault that enforces RBAC too: its consumers reach the old key through role assignments. */
export const OLD_RBAC_VAULT = "kv-change-old-rbac";
export const LINK_MS = 2_000;
const DAY_MS = 86_400_000;

export interface KeyChangeEstate {
  oldKeyId: string;
  newKeyId: string;
  oldVersion: string;
  newVersion: string;
  storage: { id: string; name: string; principalId: string };
  policy: { id: string; systemId: string; principalId: string };
  environmentIds: string[];
}

export async function seedKeyChangeEstate(
  stack: E2eStack,
  prefix: string,
  oldVault = OLD_VAULT,
): Promise<KeyChangeEstate> {
  const expiresOn = new Date(stack.clock.now() + 180 * DAY_MS);
  const old = await stack.operatorKeys(oldVault).createRsaKey(`${prefix}-old`, { keySize: 2048, expiresOn });
  const next = await stack
    .operatorKeys(NEW_VAULT)
    .createRsaKey(`${prefix}-new`, { keySize: 3072, expiresOn });
  // The consumers' identities exist before the consumers, as an admin would create and grant them first.
  const storagePrincipal = `${prefix}-storage-identity`;
  const policyPrincipal = `${prefix}-policy-identity`;
  if (oldVault === OLD_RBAC_VAULT)
    for (const principalId of [storagePrincipal, policyPrincipal]) grantKeyUse(stack, oldVault, principalId);
  const storage = await stack.arm.seedStorageAccount({
    name: `st${prefix.replace(/[^a-z0-9]/g, "")}`,
    userAssignedIdentity: { principalId: storagePrincipal },
    customerManagedKey: {
      vaultName: oldVault,
      keyName: `${prefix}-old`,
      keyVersion: old.properties.version,
    },
  });
  const policy = await stack.arm.seedEnterprisePolicy({
    name: `ep-${prefix}`,
    keyVaultName: oldVault,
    keyName: `${prefix}-old`,
    principalId: policyPrincipal,
  });
  const environmentIds = [];
  for (const name of ["prod", "test"]) {
    environmentIds.push(
      (await stack.arm.seedEnvironment({ displayName: `${prefix} ${name}`, policyId: policy.id })).id,
    );
  }
  await putBinding(stack, oldVault, `${prefix}-old`, {
    targets: [
      { kind: "storageAccount", resourceId: storage.id, mode: "pinned" },
      { kind: "powerPlatformPolicy", resourceId: policy.id, mode: "versionless" },
    ],
  });
  return {
    oldKeyId: `${stack.vaultUrl(oldVault)}/keys/${prefix}-old`,
    newKeyId: `${stack.vaultUrl(NEW_VAULT)}/keys/${prefix}-new`,
    oldVersion: old.properties.version ?? "",
    newVersion: next.properties.version ?? "",
    storage: { id: storage.id, name: storage.name, principalId: storage.principalId },
    policy,
    environmentIds,
  };
}

/** Key Vault Crypto Service Encryption User on a vault, as `az role assignment create` would grant it. */
export function grantKeyUse(stack: E2eStack, vaultName: string, principalId: string): void {
  const scope = stack.arm.vaults().find((vault) => vault.name === vaultName)?.id;
  if (!scope) throw new Error(`no vault ${vaultName} in the ARM emulator`);
  stack.arm.assignRole({ scope, roleDefinitionId: KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER, principalId });
}

export async function postKeyChange(stack: E2eStack, body: Record<string, unknown>): Promise<Response> {
  return stack.call("/api/keyChanges", { method: "POST", body: JSON.stringify({ reason: "e2e", ...body }) });
}

/** Advances virtual time (durable timers poll the link operations) until the change leaves Running. */
export async function driveKeyChange(
  stack: E2eStack,
  id: string,
  timeoutMs = 60_000,
): Promise<KeyChangeRecord> {
  const deadline = Date.now() + timeoutMs;
  let last: KeyChangeRecord | undefined;
  while (Date.now() < deadline) {
    const response = await stack.call(`/api/keyChanges/${encodeURIComponent(id)}`);
    if (response.status === 200) {
      last = (await response.json()) as KeyChangeRecord;
      if (last.status !== "Running") return last;
    }
    await stack.advance(1_000);
  }
  throw new Error(`key change ${id} still running: ${JSON.stringify(last)}`);
}
