// Seeds a key with several versions (some disabled beforehand), its consumers and its binding, for revocation tests.
import { expect } from "vitest";
import { putBinding } from "../../support/e2eStack";
import type { RevocationStack } from "../../support/revocationStack";

export interface RevocationSeedOptions {
  keyName: string;
  /** How many versions the key has (default 3). */
  versionCount?: number;
  /** Indexes (0 = oldest) of versions disabled before any revocation; never the newest. */
  disabledBefore?: number[];
  /** A storage account pinned to the newest version. */
  storageName?: string;
  /** A versionless storage account (automatic mode). */
  versionlessStorageName?: string;
  /** A versionless Power Platform policy, linked to one environment. */
  policyName?: string;
}

export interface SeededRevocationKey {
  keyName: string;
  keyId: string;
  /** Oldest first. */
  versions: string[];
  disabledBefore: string[];
  policyId?: string;
  environmentId?: string;
}

export async function seedRevocationKey(
  stack: RevocationStack,
  options: RevocationSeedOptions,
): Promise<SeededRevocationKey> {
  const { base } = stack;
  const keys = base.operatorKeys();
  const created = await keys.createRsaKey(options.keyName, {
    keySize: 2048,
    expiresOn: new Date(base.clock.now() + 90 * 86_400_000),
  });
  const versions = [created.properties.version!];
  for (let index = 1; index < (options.versionCount ?? 3); index += 1) {
    versions.push((await keys.rotateKey(options.keyName)).properties.version!);
  }
  const disabledBefore = (options.disabledBefore ?? []).map((index) => versions[index]);
  for (const version of disabledBefore)
    await keys.updateKeyProperties(options.keyName, version, { enabled: false });
  const newest = versions[versions.length - 1];
  const targets: Array<{ kind: string; resourceId: string; mode: string }> = [];
  if (options.storageName) {
    const account = await base.arm.seedStorageAccount({
      name: options.storageName,
      customerManagedKey: { vaultName: base.vaultName, keyName: options.keyName, keyVersion: newest },
    });
    targets.push({ kind: "storageAccount", resourceId: account.id, mode: "pinned" });
  }
  if (options.versionlessStorageName) {
    const account = await base.arm.seedStorageAccount({
      name: options.versionlessStorageName,
      customerManagedKey: { vaultName: base.vaultName, keyName: options.keyName, keyVersion: "" },
    });
    targets.push({ kind: "storageAccount", resourceId: account.id, mode: "versionless" });
  }
  let policyId: string | undefined;
  let environmentId: string | undefined;
  if (options.policyName) {
    const policy = await base.arm.seedEnterprisePolicy({
      name: options.policyName,
      keyVaultName: base.vaultName,
      keyName: options.keyName,
    });
    policyId = policy.id;
    environmentId = (await base.arm.seedEnvironment({ displayName: `${options.policyName}-env`, policyId }))
      .id;
    targets.push({ kind: "powerPlatformPolicy", resourceId: policy.id, mode: "versionless" });
  }
  if (targets.length > 0) await putBinding(stack, base.vaultName, options.keyName, { targets });
  return {
    keyName: options.keyName,
    keyId: `${base.vaultUrl()}/keys/${options.keyName}`,
    versions,
    disabledBefore,
    ...(policyId ? { policyId } : {}),
    ...(environmentId ? { environmentId } : {}),
  };
}

/** version → enabled, as the operator sees the key now. */
export async function enabledStates(
  stack: RevocationStack,
  keyName: string,
): Promise<Record<string, boolean>> {
  const states: Record<string, boolean> = {};
  for await (const properties of stack.base.operatorKeys().listPropertiesOfKeyVersions(keyName)) {
    states[properties.version!] = properties.enabled ?? true;
  }
  return states;
}

/** The invariant every revocation test ends with: a version disabled before any revocation was never re-enabled. */
export async function expectDisabledBeforeStayDisabled(
  stack: RevocationStack,
  seeded: readonly SeededRevocationKey[],
): Promise<void> {
  for (const key of seeded) {
    const states = await enabledStates(stack, key.keyName);
    for (const version of key.disabledBefore)
      expect(states[version], `${key.keyName}/${version}`).toBe(false);
  }
}
