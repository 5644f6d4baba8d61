// The demo's closing table: each key with its versions, each target with the version it uses, and each step's outcome.
import { renderTable } from "../../../cli/table";
import type { RunningSandbox } from "../startSandbox";
import { vaultClient } from "./demoClients";
import type { DemoEstate } from "./seedDemoEstate";

export async function renderDemoSummary(
  sandbox: RunningSandbox,
  estate: DemoEstate,
  outcomes: Record<string, string>,
): Promise<string> {
  const keyRows: string[][] = [];
  for (const key of [estate.primaryKey, estate.secondKey]) {
    const client = vaultClient(sandbox.state.keyVaults[key.vaultName]);
    let total = 0;
    let enabled = 0;
    for await (const version of client.listPropertiesOfKeyVersions(key.keyName)) {
      total++;
      if (version.enabled !== false) enabled++;
    }
    const current = await client.getKey(key.keyName);
    keyRows.push([
      `${key.vaultName}/${key.keyName}`,
      `${total}`,
      `${enabled}`,
      shortVersion(current.properties.version),
    ]);
  }
  const targetRows: string[][] = [];
  const account = sandbox.arm.storageAccounts().find((a) => a.name === estate.storageAccount.name);
  const access = await sandbox.arm.dataAccess(estate.storageAccount.name);
  targetRows.push([
    `storage ${estate.storageAccount.name}`,
    account?.keyVersion === "" ? "automatic" : "pinned",
    shortVersion(account?.currentVersionedKeyIdentifier?.split("/").pop()),
    `data access ${access.status}`,
  ]);
  const policy = (await sandbox.arm.enterprisePolicies()).find(
    (p) => p.name === estate.enterprisePolicy.name,
  );
  targetRows.push([
    `policy ${estate.enterprisePolicy.name}`,
    policy?.keyVersion ? "pinned" : "versionless",
    shortVersion(policy?.keyVersionInUse),
    policy?.healthStatus ?? "-",
  ]);
  for (const environment of await sandbox.arm.environments()) {
    targetRows.push([`environment ${environment.displayName}`, "-", "-", environment.state]);
  }
  return [
    "summary",
    indent(renderTable(["key", "versions", "enabled", "current"], keyRows)),
    "",
    indent(renderTable(["target", "mode", "version in use", "state"], targetRows)),
    "",
    indent(renderTable(["step", "outcome"], Object.entries(outcomes))),
  ].join("\n");
}

function shortVersion(version: string | undefined): string {
  return version ? version.slice(0, 12) : "-";
}

function indent(text: string): string {
  return text.replace(/^/gm, "  ");
}
