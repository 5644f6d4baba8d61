// Which consumer uses which key right now (vault/key and the version in use), read from the ARM emulator:
// every customer-managed storage account, every enterprise policy, every environment with a policy.
import { renderTable } from "../../../cli/table";
import type { RunningSandbox } from "../startSandbox";

export async function renderConsumerKeys(sandbox: RunningSandbox): Promise<string> {
  const vaultNameOf = vaultNamer(sandbox.state.keyVaults);
  const rows: string[][] = [];
  for (const account of sandbox.arm.storageAccounts()) {
    if (!account.keyVaultUri || !account.keyName) continue;
    const access = await sandbox.arm.dataAccess(account.name);
    rows.push([
      `storage ${account.name}`,
      `${vaultNameOf(account.keyVaultUri)}/${account.keyName}`,
      shortVersion(account.currentVersionedKeyIdentifier?.split("/").pop()),
      account.keyVersion ? "pinned" : "automatic",
      `data access ${access.status}`,
    ]);
  }
  const policies = await sandbox.arm.enterprisePolicies();
  for (const policy of policies) {
    rows.push([
      `policy ${policy.name}`,
      `${policy.keyVaultId?.split("/").pop() ?? "-"}/${policy.keyName ?? "-"}`,
      shortVersion(policy.keyVersionInUse),
      policy.keyVersion ? "pinned" : "versionless",
      `${policy.healthStatus}, ${policy.linkedEnvironmentIds.length} environment(s)`,
    ]);
  }
  for (const environment of await sandbox.arm.environments()) {
    if (!environment.policy) continue;
    // The environment's data key is wrapped with this key version: what it really depends on.
    const key = environment.keyId ? new URL(environment.keyId) : undefined;
    const [, , keyName, version] = key?.pathname.split("/") ?? [];
    const policyName = policies.find(
      (p) => p.id.toLowerCase() === environment.policy?.id.toLowerCase(),
    )?.name;
    rows.push([
      `environment ${environment.displayName}`,
      key ? `${vaultNameOf(key.origin)}/${keyName}` : "-",
      shortVersion(version),
      `via ${policyName ?? environment.policy.id.split("/").pop()}`,
      environment.state,
    ]);
  }
  return renderTable(["consumer", "key (vault/key)", "version in use", "mode", "state"], rows);
}

/** Vault URL (any path, any trailing slash) to the sandbox's vault name. */
function vaultNamer(keyVaults: Record<string, string>): (url: string) => string {
  const byOrigin = new Map(Object.entries(keyVaults).map(([name, url]) => [new URL(url).origin, name]));
  return (url) => byOrigin.get(new URL(url).origin) ?? url;
}

function shortVersion(version: string | undefined): string {
  return version ? version.slice(0, 12) : "-";
}
