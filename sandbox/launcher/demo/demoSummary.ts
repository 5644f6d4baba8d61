// The demo's closing table: each key with its versions, which consumer uses which key, and each step's outcome.
import { renderTable } from "../../../cli/table";
import { SANDBOX_VAULT_NAMES, type RunningSandbox } from "../startSandbox";
import { renderConsumerKeys } from "./consumerKeys";
import { vaultClient } from "./demoClients";

export async function renderDemoSummary(
  sandbox: RunningSandbox,
  outcomes: Record<string, string>,
): Promise<string> {
  const keyRows: string[][] = [];
  for (const vaultName of SANDBOX_VAULT_NAMES) {
    const client = vaultClient(sandbox.state.keyVaults[vaultName]);
    for await (const key of client.listPropertiesOfKeys()) {
      let total = 0;
      let enabled = 0;
      for await (const version of client.listPropertiesOfKeyVersions(key.name)) {
        total++;
        if (version.enabled !== false) enabled++;
      }
      const current = await client.getKey(key.name);
      keyRows.push([
        `${vaultName}/${key.name}`,
        `${total}`,
        `${enabled}`,
        shortVersion(current.properties.version),
      ]);
    }
  }
  return [
    "summary",
    indent(renderTable(["key", "versions", "enabled", "current"], keyRows)),
    "",
    indent(await renderConsumerKeys(sandbox)),
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
