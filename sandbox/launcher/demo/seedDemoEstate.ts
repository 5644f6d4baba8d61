// Seeds the demo estate: a Customer Insights - Data style setup (key with rotation policy, pinned ADLS Gen2 account,
// versionless Power Platform policy linked to two environments) plus a second vault with another key, and one
// pinned storage account in the second subscription that uses the same key but is registered nowhere.
import type { RunningSandbox } from "../startSandbox";
import { SANDBOX_VAULT_NAMES } from "../startSandbox";
import { appClient, appServes, vaultClient } from "./demoClients";

const DAY_MS = 86_400_000;

export interface DemoEstate {
  /** The Customer Insights key: vault, name, versionless id. */
  primaryKey: { vaultName: string; keyName: string; keyId: string };
  secondKey: { vaultName: string; keyName: string; keyId: string };
  storageAccount: { name: string; id: string };
  /** Pinned to the same key version, in the second subscription, in no binding: discovery must find it. */
  unregisteredStorageAccount: { name: string; id: string; subscriptionId: string };
  enterprisePolicy: { name: string; id: string };
  environmentIds: string[];
  /** False when the app's bindings API answered 404 (not built yet). */
  isBound: boolean;
}

export async function seedDemoEstate(
  sandbox: RunningSandbox,
  log: (line: string) => void,
): Promise<DemoEstate> {
  const [primaryVault, secondVault] = SANDBOX_VAULT_NAMES;
  const nowMs = sandbox.clock.now();
  const primaryUrl = sandbox.state.keyVaults[primaryVault];
  const keys = vaultClient(primaryUrl);
  // Expires in 45 virtual days; Key Vault announces near-expiry 30 days before, so the demo jumps 15 days.
  const primary = await keys.createRsaKey("ci-data-cmk", {
    keySize: 2048,
    expiresOn: new Date(nowMs + 45 * DAY_MS),
    tags: { workload: "customer-insights-data" },
  });
  await keys.updateKeyRotationPolicy("ci-data-cmk", {
    lifetimeActions: [{ action: "Notify", timeBeforeExpiry: "P30D" }],
    expiresIn: "P90D",
  });
  const primaryKey = {
    vaultName: primaryVault,
    keyName: "ci-data-cmk",
    keyId: `${primaryUrl}/keys/ci-data-cmk`,
  };

  const secondUrl = sandbox.state.keyVaults[secondVault];
  await vaultClient(secondUrl).createRsaKey("eu-archive-cmk", {
    keySize: 2048,
    expiresOn: new Date(nowMs + 180 * DAY_MS),
  });
  const secondKey = {
    vaultName: secondVault,
    keyName: "eu-archive-cmk",
    keyId: `${secondUrl}/keys/eu-archive-cmk`,
  };

  const account = await sandbox.arm.seedStorageAccount({
    name: "contosocidatalake",
    customerManagedKey: {
      vaultName: primaryVault,
      keyName: "ci-data-cmk",
      keyVersion: primary.properties.version,
    },
  });
  const [, secondSubscriptionId] = sandbox.arm.subscriptionIds;
  const unregistered = await sandbox.arm.seedStorageAccount({
    name: "contosocireports",
    subscriptionId: secondSubscriptionId,
    resourceGroup: "rg-ci-reports",
    customerManagedKey: {
      vaultName: primaryVault,
      keyName: "ci-data-cmk",
      keyVersion: primary.properties.version,
    },
  });
  const policy = await sandbox.arm.seedEnterprisePolicy({
    name: "contoso-ci-cmk",
    keyVaultName: primaryVault,
    keyName: "ci-data-cmk",
  });
  const environments = [
    await sandbox.arm.seedEnvironment({ displayName: "Contoso CI Production", policyId: policy.id }),
    await sandbox.arm.seedEnvironment({ displayName: "Contoso CI Sandbox", policyId: policy.id }),
  ];
  log(
    `demo estate  ${primaryVault}/ci-data-cmk (notify 30 d before expiry, expires in 45 d), ${secondVault}/eu-archive-cmk`,
  );
  log(
    `             storage ${account.name} pinned to ${primary.properties.version}; policy ${policy.name} versionless, linked to ${environments.length} environments`,
  );
  log(
    `             storage ${unregistered.name} (subscription ${secondSubscriptionId}) pinned to the same version, registered in no binding`,
  );

  const isBound = appServes(sandbox.host, "PUT", `bindings/${primaryVault}/ci-data-cmk`);
  if (isBound) {
    await appClient(sandbox.state).put(`/api/bindings/${primaryVault}/ci-data-cmk`, {
      targets: [
        { kind: "storageAccount", resourceId: account.id, mode: "pinned" },
        { kind: "powerPlatformPolicy", resourceId: policy.id, mode: "versionless" },
      ],
      policy: { expiresAfter: "P90D", retireAfter: "P30D" },
    });
    log(`             bindings registered through PUT /api/bindings/${primaryVault}/ci-data-cmk`);
  } else {
    log(
      "             bindings: not available yet (the app serves no PUT /api/bindings/{vaultName}/{keyName})",
    );
  }
  return {
    primaryKey,
    secondKey,
    storageAccount: { name: account.name, id: account.id },
    unregisteredStorageAccount: {
      name: unregistered.name,
      id: unregistered.id,
      subscriptionId: secondSubscriptionId,
    },
    enterprisePolicy: { name: policy.name, id: policy.id },
    environmentIds: environments.map((environment) => environment.id),
    isBound,
  };
}
