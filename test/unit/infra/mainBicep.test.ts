// The deployment template (infra/) cannot be compiled offline: check its text sets every app setting and grants exactly the roles the app needs.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../../../sandbox/packageRoot";
import { SETTING_NAMES, STORAGE_IDENTITY_SETTING_NAMES } from "../../../src/lib/settings";
import { appSettings, params, property, readBicep, resources, type BicepResource } from "./bicepText";

const infra = join(packageRoot(), "infra");
const main = readBicep(join(infra, "main.bicep"));
const modules = Object.fromEntries(
  [
    "appStorageAccess",
    "vaultAccess",
    "consumerAccess",
    "resourceRoleAssignment",
    "secretReader",
    "topicSender",
  ].map((name) => [name, readBicep(join(infra, "modules", `${name}.bicep`))]),
);
const allTemplates = [main, ...Object.values(modules)];

const ROLE = {
  keyVaultCryptoOfficer: "14b46e9e-c2b7-41b4-b07b-48a6ebf60603",
  keyVaultSecretsUser: "4633458b-17de-408a-b874-0445c86b69e6",
  eventGridDataSender: "d5a91429-5739-47e2-a06b-3470a27159e7",
  storageBlobDataOwner: "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
  storageQueueDataContributor: "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
  storageTableDataContributor: "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
};

/** Settings infra/README.md's settings table marks "not set (optional)": the app reads them, the template leaves them out. */
function documentedOptionalSettings(): Set<string> {
  const readme = readFileSync(join(infra, "README.md"), "utf8");
  return new Set(
    [...readme.matchAll(/^\|\s*`([\w_]+)`\s*\|\s*not set \(optional[^|]*\|/gm)].map((match) => match[1]),
  );
}

function roleAssignments(text: string): BicepResource[] {
  return resources(text).filter((resource) => resource.type === "Microsoft.Authorization/roleAssignments");
}

describe("infra/main.bicep app settings", () => {
  const settings = appSettings(main);

  const optional = documentedOptionalSettings();

  it.each([...SETTING_NAMES, ...STORAGE_IDENTITY_SETTING_NAMES])(
    "sets %s, which the app reads, or documents it as optional",
    (name) => {
      expect(
        settings.has(name) !== optional.has(name),
        `${name} must be set in siteConfig.appSettings or marked "not set (optional)" in infra/README.md (not both)`,
      ).toBe(true);
    },
  );

  it("connects the host, the task hub and the app's tables to storage with the identity, not a key", () => {
    expect(settings.has("AzureWebJobsStorage")).toBe(false);
    expect(settings.get("AzureWebJobsStorage__accountName")).toBe("storage.name");
    expect(settings.get("AzureWebJobsStorage__credential")).toBe("'managedidentity'");
    expect(settings.get("AzureWebJobsStorage__clientId")).toBe("identity.properties.clientId");
    // Only the Elastic Premium content share takes a key (Azure Files has no identity form for it).
    expect(settings.get("WEBSITE_CONTENTAZUREFILECONNECTIONSTRING")).toBe("contentShareConnectionString");
    expect(main.match(/listKeys\(\)/g)).toHaveLength(1);
    expect(main).toMatch(/var contentShareConnectionString = /);
  });

  it("references the revocation secret in Key Vault instead of holding it", () => {
    expect(settings.get("CMK_REVOCATION_SECRET")).toMatch(
      /^'@Microsoft\.KeyVault\(SecretUri=\$\{revocationSecretUri\}\)'$/,
    );
    expect(main).toMatch(/keyVaultReferenceIdentity: identity\.id/);
  });

  it("runs the app as the user-assigned identity", () => {
    expect(settings.get("AZURE_CLIENT_ID")).toBe("identity.properties.clientId");
    expect(main).toMatch(/type: 'UserAssigned'/);
  });

  it("allow-lists exactly the vaults it grants roles on", () => {
    expect(settings.get("CMK_ALLOWED_VAULTS")).toBe("join(map(allowedVaults, vault => vault.name), ',')");
    expect(main).toMatch(
      /module vaultAccess 'modules\/vaultAccess\.bicep' = \[\s*for vault in allowedVaults:/,
    );
  });

  it("runs on a plan that supports Durable Functions, with Application Insights", () => {
    const plan = resources(main).find((resource) => resource.type === "Microsoft.Web/serverfarms");
    expect(plan?.body).toMatch(/tier: '(ElasticPremium|FlexConsumption)'/);
    expect(settings.get("FUNCTIONS_WORKER_RUNTIME")).toBe("'node'");
    expect(settings.has("APPLICATIONINSIGHTS_CONNECTION_STRING")).toBe(true);
  });

  it("deploys the Node major that package.json's engines and the pinned node binary name", () => {
    const manifest = JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as {
      engines: { node: string };
      devDependencies: Record<string, string>;
    };
    const deployedMajor = /^'Node\|(\d+)'$/.exec(property(main, "linuxFxVersion") ?? "")?.[1];
    expect(deployedMajor).toBe("22");
    expect(manifest.engines.node).toBe(`>=${deployedMajor} <${Number(deployedMajor) + 1}`);
    expect(manifest.devDependencies.node).toMatch(new RegExp(`^${deployedMajor}\\.\\d+\\.\\d+$`));
    // npm scripts run on the pinned binary, so the suite itself runs on the deployed major.
    expect(process.versions.node.split(".")[0]).toBe(deployedMajor);
  });

  it("sets every setting that local.settings.sample.json documents", () => {
    const sample = JSON.parse(readFileSync(join(packageRoot(), "local.settings.sample.json"), "utf8")) as {
      Values: Record<string, string>;
    };
    const hostOnly = new Set(["AzureWebJobsFeatureFlags"]);
    // Locally the connection string; in Azure its identity-based form (checked above).
    const localOnly = new Set(["AzureWebJobsStorage"]);
    for (const name of Object.keys(sample.Values).filter(
      (name) => !hostOnly.has(name) && !localOnly.has(name),
    )) {
      expect(settings.has(name), `${name} is missing`).toBe(true);
    }
  });
});

describe("infra role assignments: least privilege", () => {
  it("grants blob owner, queue and table data contributor on the app's storage account only", () => {
    const assignments = roleAssignments(modules.appStorageAccess);
    expect(assignments.map((assignment) => property(assignment.body, "scope"))).toEqual([
      "storageAccount",
      "storageAccount",
      "storageAccount",
    ]);
    for (const role of [
      ROLE.storageBlobDataOwner,
      ROLE.storageQueueDataContributor,
      ROLE.storageTableDataContributor,
    ]) {
      expect(modules.appStorageAccess).toContain(role);
    }
    expect(main).toMatch(
      /module appStorageAccess 'modules\/appStorageAccess\.bicep' = \{[^}]*storageAccountName: storage\.name/,
    );
  });

  it("grants Key Vault Crypto Officer on each allow-listed vault, scoped to the vault", () => {
    const [assignment] = roleAssignments(modules.vaultAccess);
    expect(modules.vaultAccess).toContain(ROLE.keyVaultCryptoOfficer);
    expect(property(assignment.body, "scope")).toBe("vault");
    expect(property(assignment.body, "roleDefinitionId")).toContain("keyVaultCryptoOfficerRoleId");
  });

  it("grants write on the bound storage accounts and enterprise policies only", () => {
    const [role] = resources(modules.consumerAccess).filter(
      (r) => r.type === "Microsoft.Authorization/roleDefinitions",
    );
    const actions = [...role.body.matchAll(/'(Microsoft\.[^']+)'/g)].map((match) => match[1]);
    expect(actions.sort()).toEqual([
      "Microsoft.PowerPlatform/enterprisePolicies/read",
      "Microsoft.PowerPlatform/enterprisePolicies/write",
      "Microsoft.Storage/storageAccounts/read",
      "Microsoft.Storage/storageAccounts/write",
    ]);
    expect(role.body).not.toMatch(/\*/);
    expect(modules.consumerAccess).toMatch(/for account in boundStorageAccounts:/);
    expect(modules.consumerAccess).toMatch(/for policy in enterprisePolicies:/);
    const scopes = roleAssignments(modules.resourceRoleAssignment).map((a) => property(a.body, "scope"));
    expect(scopes.sort()).toEqual(["enterprisePolicy", "storageAccount"]);
  });

  it("lets the identity read the revocation secret and nothing else in that vault", () => {
    const [assignment] = roleAssignments(modules.secretReader);
    expect(property(assignment.body, "scope")).toBe("secret");
    expect(main).toContain(ROLE.keyVaultSecretsUser);
  });

  it("lets the identity publish outcome events to the notification topic only", () => {
    const [assignment] = roleAssignments(modules.topicSender);
    expect(property(assignment.body, "scope")).toBe("topic");
    expect(main).toContain(ROLE.eventGridDataSender);
  });

  it("assigns nothing at subscription or resource-group scope", () => {
    for (const text of allTemplates) {
      expect(text).not.toMatch(/targetScope\s*=\s*'(subscription|managementGroup|tenant)'/);
      const existing = new Set(
        resources(text)
          .filter((r) => r.isExisting)
          .map((r) => r.symbol),
      );
      for (const assignment of roleAssignments(text)) {
        const scope = property(assignment.body, "scope");
        expect(
          scope && existing.has(scope),
          `role assignment ${assignment.symbol} must be scoped to one resource`,
        ).toBe(true);
      }
    }
  });
});

describe("infra Event Grid subscription on each vault", () => {
  const subscription = resources(modules.vaultAccess).find(
    (resource) => resource.type === "Microsoft.EventGrid/systemTopics/eventSubscriptions",
  );

  it("delivers exactly the three key events to the keyVaultEvents function", () => {
    expect(subscription).toBeDefined();
    const types = [...(subscription?.body ?? "").matchAll(/'(Microsoft\.KeyVault\.\w+)'/g)].map(
      (match) => match[1],
    );
    expect(types.sort()).toEqual([
      "Microsoft.KeyVault.KeyExpired",
      "Microsoft.KeyVault.KeyNearExpiry",
      "Microsoft.KeyVault.KeyNewVersionCreated",
    ]);
    expect(subscription?.body).toContain("'${functionAppId}/functions/keyVaultEvents'");
  });

  it("dead-letters undeliverable events to blob storage", () => {
    expect(subscription?.body).toMatch(/deadLetterDestination: \{\s*endpointType: 'StorageBlob'/);
    expect(subscription?.body).toMatch(/maxDeliveryAttempts: \d+/);
  });

  it("listens on the vault's system topic", () => {
    const topic = resources(modules.vaultAccess).find((r) => r.type === "Microsoft.EventGrid/systemTopics");
    expect(property(topic?.body ?? "", "source")).toBe("vault.id");
    expect(property(topic?.body ?? "", "topicType")).toBe("'Microsoft.KeyVault.vaults'");
  });
});

describe("infra/main.parameters.example.json", () => {
  const example = JSON.parse(readFileSync(join(infra, "main.parameters.example.json"), "utf8")) as {
    parameters: Record<string, { value: unknown }>;
  };
  const declared = params(main);

  it("gives every required parameter and no undeclared one", () => {
    for (const param of declared.filter((p) => !p.hasDefault))
      expect(example.parameters).toHaveProperty(param.name);
    const names = new Set(declared.map((p) => p.name));
    for (const name of Object.keys(example.parameters))
      expect(names.has(name), `${name} is not a parameter`).toBe(true);
  });

  it("names each vault, storage account and policy with its resource group", () => {
    for (const name of ["allowedVaults", "boundStorageAccounts", "enterprisePolicies"]) {
      for (const entry of example.parameters[name].value as Array<Record<string, unknown>>) {
        expect(Object.keys(entry).sort()).toEqual(["name", "resourceGroup"]);
      }
    }
  });
});
