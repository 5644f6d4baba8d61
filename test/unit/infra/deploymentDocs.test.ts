// The deployment docs say what the deployer runs and needs, and what each role grants, in step with the templates.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../../../sandbox/packageRoot";
import { STORAGE_IDENTITY_SETTING_NAMES } from "../../../src/lib/settings";

const root = packageRoot();
const infraReadme = readFileSync(join(root, "infra", "README.md"), "utf8");
const readme = readFileSync(join(root, "README.md"), "utf8");
const builtInRoles = (
  JSON.parse(readFileSync(join(root, "infra", "builtInRoles.json"), "utf8")) as {
    roles: Record<string, string>;
  }
).roles;

/** The text of one `## heading` section of a Markdown file. */
function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`## ${heading}\n`);
  if (start < 0) throw new Error(`no "## ${heading}" section`);
  const next = markdown.indexOf("\n## ", start + 1);
  return markdown.slice(start, next < 0 ? undefined : next);
}

describe("infra/README.md", () => {
  it("names every built-in role the templates assign, and each custom role", () => {
    const roles = section(infraReadme, "Roles: what each grants and why");
    for (const name of Object.values(builtInRoles)) expect(roles, name).toContain(name);
    for (const custom of [
      "key rotator",
      "consumer key writer",
      "discovery reader",
      "key change vault reader",
      "key change policy writer",
    ])
      expect(roles).toContain(custom);
  });

  it("says what key changes add, why they are opt-in, and the Power Platform step Bicep cannot do", () => {
    const keyChange = section(infraReadme, "Changing to a different key (opt-in: `enableKeyChange`)");
    for (const fact of [
      "enableKeyChange=false",
      "keyChangePolicyResourceGroups",
      "Microsoft.KeyVault/vaults/read",
      "Microsoft.Authorization/roleAssignments/read",
      "Microsoft.PowerPlatform/enterprisePolicies/read",
      "boundStorageAccounts",
      "Power Platform administrator",
      "New-PowerAppManagementApp -ApplicationId <identityClientId>",
      "pac admin application register",
      "az role assignment create",
    ])
      expect(keyChange, fact).toContain(fact);
    const needs = section(infraReadme, "What the deployer needs");
    expect(needs).toContain("keyChangePolicyResourceGroups");
  });

  it("says what the deployer needs: role-definition write at subscription scope, role-assignment write on each resource", () => {
    const needs = section(infraReadme, "What the deployer needs");
    expect(needs).toContain("Microsoft.Authorization/roleDefinitions/write");
    expect(needs).toContain("Microsoft.Authorization/roleAssignments/write");
    for (const resource of ["vault", "storage account", "enterprise policy", "topic"])
      expect(needs).toContain(resource);
  });

  it("says the Bicep has not been compiled", () => {
    expect(infraReadme).toMatch(/has not been compiled|Nothing here has been compiled/);
  });
});

describe("README.md Deploy to Azure", () => {
  const deploy = section(readme, "Deploy to Azure");

  it.each([
    "infra/deploy.sh",
    "az functionapp keys list",
    "az functionapp deployment source config-zip",
    "npm run package",
    "npm link",
    "configreferences/appsettings",
    "Resolved",
  ])("names %s", (command) => {
    expect(deploy).toContain(command);
  });

  it("keeps saying the Bicep has not been compiled here", () => {
    expect(deploy).toMatch(/The Bicep has not been\s+compiled here/);
  });

  it("lists the identity-based storage settings", () => {
    const settings = section(readme, "Settings");
    for (const name of STORAGE_IDENTITY_SETTING_NAMES) {
      expect(settings, name).toContain(name.replace(/^AzureWebJobsStorage(?=__(blob|queue)ServiceUri)/, ""));
    }
  });
});

describe("deployment files", () => {
  const infra = join(root, "infra");
  const files = [
    join(root, "README.md"),
    ...readdirSync(infra)
      .map((name) => join(infra, name))
      .filter((path) => !path.endsWith("modules")),
    ...readdirSync(join(infra, "modules")).map((name) => join(infra, "modules", name)),
  ];

  it.each(files.map((path) => [path.slice(root.length + 1), path]))(
    "%s names no issue and no file outside the repository",
    (_name, path) => {
      const text = readFileSync(path, "utf8");
      expect(text).not.toMatch(
        /\bissues?\s+#?\d+|(^|\s)#\d{2,}\b|\/work\/|shared\/(domain|contract|style)\.md/im,
      );
    },
  );
});
