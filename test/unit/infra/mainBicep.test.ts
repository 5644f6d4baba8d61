// The deployment template (infra/) cannot be compiled offline: check its text sets every app setting and grants exactly the roles the app needs.
import { readdirSync, readFileSync } from "node:fs";
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
    "consumerAccess",
    "customRoles",
    "deadLetterWriter",
    "discoveryReader",
    "keyChangePolicyWriter",
    "resourceRoleAssignment",
    "secretReader",
    "topicSender",
    "vaultAccess",
    "vaultEvents",
  ].map((name) => [name, readBicep(join(infra, "modules", `${name}.bicep`))]),
);
const events = readBicep(join(infra, "events.bicep"));
const allTemplates: Record<string, string> = { main, events, ...modules };

const ROLE = {
  storageBlobDataContributor: "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
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

function roleDefinition(roleNamePart: string): BicepResource {
  const definition = resources(modules.customRoles).find(
    (resource) =>
      resource.type === "Microsoft.Authorization/roleDefinitions" && resource.body.includes(roleNamePart),
  );
  if (!definition) throw new Error(`no role definition named like "${roleNamePart}"`);
  return definition;
}

/** The quoted strings of one `key: [ ... ]` list inside a body. */
function listOf(body: string, key: string): string[] {
  const list = new RegExp(`^\\s*${key}:\\s*\\[([^\\]]*)\\]`, "m").exec(body)?.[1] ?? "";
  return [...list.matchAll(/'([^']+)'/g)].map((match) => match[1]);
}

/** Every Key Vault data action the gateway's interface names in its doc comments. */
function gatewayDocumentedDataActions(): string[] {
  const source = readFileSync(join(packageRoot(), "src", "lib", "keys", "types.ts"), "utf8");
  const start = source.indexOf("export interface KeyVaultGateway");
  const gateway = source.slice(source.lastIndexOf("/**", start), source.indexOf("\n}", start));
  return [
    ...new Set([...gateway.matchAll(/`(Microsoft\.KeyVault\/vaults\/[^`]+)`/g)].map((match) => match[1])),
  ].sort();
}

/** The .ts files under a folder, recursively. */
function typeScriptFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return typeScriptFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/**
 * Every Azure action the key change code's doc comments say it needs, from their "Needs …" part:
 * `Microsoft.X/y/read` and its shorthand siblings (`Microsoft.X/y/read and /write`).
 */
function keyChangeDocumentedActions(): string[] {
  const folders = [join("src", "lib", "keyChanges"), join("src", "orchestrations", "changeKey")];
  const actions = new Set<string>();
  for (const file of folders.flatMap((folder) => typeScriptFiles(join(packageRoot(), folder)))) {
    for (const [comment] of readFileSync(file, "utf8").matchAll(/\/\*\*[\s\S]*?\*\//g)) {
      const needs = comment.indexOf("Needs");
      if (needs < 0) continue;
      const text = comment
        .slice(needs)
        .replace(/^\s*\*(?!\/)/gm, " ")
        .replace(/\s+/g, " ");
      for (const match of text.matchAll(/\b(Microsoft\.\w+(?:\/\w+)+)((?:(?:,| and| or) \/\w+)*)/g)) {
        const action = match[1];
        actions.add(action);
        const parent = action.slice(0, action.lastIndexOf("/"));
        for (const sibling of match[2].matchAll(/\/(\w+)/g)) actions.add(`${parent}/${sibling[1]}`);
      }
    }
  }
  return [...actions].sort();
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

  it("leaves worker indexing to the host (no AzureWebJobsFeatureFlags in the sample)", () => {
    const sample = JSON.parse(readFileSync(join(packageRoot(), "local.settings.sample.json"), "utf8")) as {
      Values: Record<string, string>;
    };
    expect(sample.Values).not.toHaveProperty("AzureWebJobsFeatureFlags");
  });

  it("sets every setting that local.settings.sample.json documents", () => {
    const sample = JSON.parse(readFileSync(join(packageRoot(), "local.settings.sample.json"), "utf8")) as {
      Values: Record<string, string>;
    };
    // Locally the connection string; in Azure its identity-based form (checked above).
    const localOnly = new Set(["AzureWebJobsStorage"]);
    for (const name of Object.keys(sample.Values).filter((name) => !localOnly.has(name))) {
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
      /module appStorageAccess 'modules\/appStorageAccess\.bicep' = \{[\s\S]*?storageAccountName: storage\.name/,
    );
  });

  it("grants the key rotator role exactly the data actions the Key Vault gateway documents, on each vault", () => {
    const role = roleDefinition("key rotator");
    const documented = gatewayDocumentedDataActions();
    expect(documented.length).toBeGreaterThan(0);
    expect(listOf(role.body, "dataActions").sort()).toEqual(documented);
    expect(listOf(role.body, "actions")).toEqual([]);
    const [assignment] = roleAssignments(modules.vaultAccess);
    expect(property(assignment.body, "scope")).toBe("vault");
    expect(main).toContain("roleDefinitionId: customRoles.outputs.keyRotatorRoleId");
    // Key Vault Crypto Officer (decrypt, unwrap, sign, release, delete, purge) is gone.
    for (const text of Object.values(allTemplates))
      expect(text).not.toContain("14b46e9e-c2b7-41b4-b07b-48a6ebf60603");
  });

  it("grants write on the bound storage accounts and enterprise policies only", () => {
    const role = roleDefinition("consumer key writer");
    expect(listOf(role.body, "actions").sort()).toEqual([
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

  it("lets discovery read storage accounts and enterprise policies in the listed subscriptions only", () => {
    expect(main).toMatch(
      /^var discoverySubscriptionIds = filter\(discoveryScopes, scope => !startsWith\(scope, 'mg:'\)\)$/m,
    );
    const role = roleDefinition("discovery reader");
    expect(listOf(role.body, "actions").sort()).toEqual([
      "Microsoft.PowerPlatform/enterprisePolicies/read",
      "Microsoft.Storage/storageAccounts/read",
    ]);
    expect(role.body).toMatch(
      /assignableScopes: \[for subscriptionId in discoverySubscriptionIds: '\/subscriptions\/\$\{subscriptionId\}'\]/,
    );
    expect(main).toMatch(
      /module discoveryAccess 'modules\/discoveryReader\.bicep' = \[\s*for subscriptionId in discoverySubscriptionIds: \{[\s\S]*?scope: subscription\(subscriptionId\)/,
    );
  });

  it("defines the custom roles at subscription scope, assignable only where they are assigned", () => {
    expect(modules.customRoles).toMatch(/^targetScope = 'subscription'$/m);
    expect(main).toMatch(
      /module customRoles 'modules\/customRoles\.bicep' = \{[\s\S]*?scope: subscription\(\)/,
    );
    expect(property(roleDefinition("key rotator").body, "assignableScopes")).toContain(
      "for group in vaultResourceGroups",
    );
    expect(property(roleDefinition("consumer key writer").body, "assignableScopes")).toContain(
      "for group in consumerResourceGroups",
    );
    expect(property(roleDefinition("key change policy writer").body, "assignableScopes")).toContain(
      "for group in keyChangePolicyResourceGroups",
    );
    expect(property(roleDefinition("key change vault reader").body, "assignableScopes")).toContain(
      "for group in keyChangeVaultResourceGroups",
    );
    for (const [name, text] of Object.entries(allTemplates).filter(([name]) => name !== "customRoles")) {
      const definitions = resources(text).filter((r) => r.type === "Microsoft.Authorization/roleDefinitions");
      expect(definitions, `${name} defines a role`).toEqual([]);
    }
  });

  it("lets the identity read the revocation secret and nothing else in that vault, before the app starts", () => {
    const [assignment] = roleAssignments(modules.secretReader);
    expect(property(assignment.body, "scope")).toBe("secret");
    expect(main).toContain(ROLE.keyVaultSecretsUser);
    const site = resources(main).find((resource) => resource.type === "Microsoft.Web/sites");
    expect(property(site?.body ?? "", "dependsOn")).toMatch(/\brevocationSecretAccess\b/);
  });

  it("lets the identity publish outcome events to the notification topic only, found from its resource id", () => {
    const [assignment] = roleAssignments(modules.topicSender);
    expect(property(assignment.body, "scope")).toBe("topic");
    expect(main).toContain(ROLE.eventGridDataSender);
    expect(params(main).map((param) => param.name)).not.toContain("notifyTopicEndpoint");
    expect(main).toMatch(/isNotifyTopicSet \? notifyTopicIdParts\[2\] :/);
    expect(main).toMatch(/isNotifyTopicSet \? notifyTopicIdParts\[4\] :/);
    expect(appSettings(main).get("CMK_NOTIFY_TOPIC_ENDPOINT")).toBe(
      "isNotifyTopicSet ? notifyTopicAccess.outputs.topicEndpoint : ''",
    );
    expect(modules.topicSender).toMatch(/^output topicEndpoint string = topic\.properties\.endpoint$/m);
  });

  it("assigns roles on single resources, except read-only discovery and the opt-in key change policy writer", () => {
    for (const [name, text] of Object.entries(allTemplates)) {
      const targetScope = /targetScope\s*=\s*'(\w+)'/.exec(text)?.[1];
      if (targetScope !== undefined) {
        expect(["customRoles", "discoveryReader"], `${name} deploys at ${targetScope} scope`).toContain(name);
        expect(targetScope).toBe("subscription");
      }
      if (name === "discoveryReader") continue;
      if (name === "keyChangePolicyWriter") {
        // The opt-in exception: its one assignment has no scope (the module's resource group), checked below.
        expect(roleAssignments(text).map((a) => property(a.body, "scope"))).toEqual([undefined]);
        continue;
      }
      const existing = new Set(
        resources(text)
          .filter((r) => r.isExisting)
          .map((r) => r.symbol),
      );
      for (const assignment of roleAssignments(text)) {
        const scope = property(assignment.body, "scope");
        expect(
          scope && existing.has(scope),
          `role assignment ${assignment.symbol} in ${name} must be scoped to one resource`,
        ).toBe(true);
      }
    }
  });

  it("reads enterprise policies with the api-version the Bicep types know", () => {
    expect(modules.resourceRoleAssignment).toContain(
      "'Microsoft.PowerPlatform/enterprisePolicies@2020-10-30-preview' existing",
    );
  });
});

describe("infra key change roles (opt-in)", () => {
  const policyWriter = roleDefinition("key change policy writer");
  const vaultReader = roleDefinition("key change vault reader");

  it("grants exactly the Azure actions the key change code documents, storage staying with the consumer key writer", () => {
    const documented = keyChangeDocumentedActions();
    expect(documented).toEqual(
      expect.arrayContaining([
        "Microsoft.Authorization/roleAssignments/read",
        "Microsoft.KeyVault/vaults/read",
        "Microsoft.PowerPlatform/enterprisePolicies/write",
      ]),
    );
    const keyChange = [...listOf(policyWriter.body, "actions"), ...listOf(vaultReader.body, "actions")];
    const storage = listOf(roleDefinition("consumer key writer").body, "actions").filter((action) =>
      action.startsWith("Microsoft.Storage/"),
    );
    expect([...new Set([...keyChange, ...storage])].sort()).toEqual(documented);
    // Nothing granted twice: the key change roles add no storage action and do not overlap.
    expect(new Set(keyChange).size).toBe(keyChange.length);
    expect(keyChange.filter((action) => storage.includes(action))).toEqual([]);
    for (const role of [policyWriter, vaultReader]) {
      expect(listOf(role.body, "dataActions")).toEqual([]);
      expect(role.body).not.toMatch(/\*/);
    }
  });

  it("splits them by scope: policy write on the policies' resource groups, vault reads on each allow-listed vault", () => {
    expect(listOf(policyWriter.body, "actions").sort()).toEqual([
      "Microsoft.PowerPlatform/enterprisePolicies/read",
      "Microsoft.PowerPlatform/enterprisePolicies/write",
    ]);
    expect(listOf(vaultReader.body, "actions").sort()).toEqual([
      "Microsoft.Authorization/roleAssignments/read",
      "Microsoft.KeyVault/vaults/read",
    ]);
    expect(main).toMatch(
      /module keyChangeVaultAccess 'modules\/vaultAccess\.bicep' = \[\s*for vault in allowedVaults: if \(enableKeyChange\) \{[\s\S]*?roleDefinitionId: customRoles\.outputs\.keyChangeVaultReaderRoleId/,
    );
    expect(main).toMatch(
      /module keyChangePolicyAccess 'modules\/keyChangePolicyWriter\.bicep' = \[\s*for group in keyChangePolicyGroups: \{[\s\S]*?scope: resourceGroup\(group\)[\s\S]*?roleDefinitionId: customRoles\.outputs\.keyChangePolicyWriterRoleId/,
    );
    expect(modules.keyChangePolicyWriter).not.toMatch(/^targetScope/m);
    expect(modules.keyChangePolicyWriter).toMatch(
      /name: guid\(resourceGroup\(\)\.id, principalId, roleDefinitionId\)/,
    );
  });

  it("is off by default, and when on reaches only the resource groups of the policies it knows", () => {
    expect(main).toMatch(/^param enableKeyChange bool = false$/m);
    expect(main).toMatch(/^param keyChangePolicyResourceGroups array = \[\]$/m);
    expect(main).toMatch(
      /^var keyChangePolicyGroups = enableKeyChange \? union\(map\(enterprisePolicies, policy => policy\.resourceGroup\), keyChangePolicyResourceGroups\) : \[\]$/m,
    );
    expect(main).toContain("keyChangePolicyResourceGroups: keyChangePolicyGroups");
    expect(main).toContain(
      "keyChangeVaultResourceGroups: enableKeyChange ? union(map(allowedVaults, vault => vault.resourceGroup), []) : []",
    );
    // With the lists empty, customRoles defines neither role.
    expect(modules.customRoles).toMatch(
      /resource keyChangePolicyWriter '[^']+' = if \(!empty\(keyChangePolicyResourceGroups\)\)/,
    );
    expect(modules.customRoles).toMatch(
      /resource keyChangeVaultReader '[^']+' = if \(!empty\(keyChangeVaultResourceGroups\)\)/,
    );
  });

  it("lets no role create role assignments: the only Microsoft.Authorization action is roleAssignments/read", () => {
    const definitions = resources(modules.customRoles).filter(
      (resource) => resource.type === "Microsoft.Authorization/roleDefinitions",
    );
    expect(definitions.length).toBeGreaterThanOrEqual(5);
    const granted = definitions.flatMap((definition) => [
      ...listOf(definition.body, "actions"),
      ...listOf(definition.body, "dataActions"),
    ]);
    expect(granted.filter((action) => action.startsWith("Microsoft.Authorization/"))).toEqual([
      "Microsoft.Authorization/roleAssignments/read",
    ]);
    expect(granted.filter((action) => action.includes("*"))).toEqual([]);
  });
});

describe("infra deployments that keep the app running", () => {
  const settings = appSettings(main);

  it("runs the package the zip deployment stored, so a template deployment never removes the code", () => {
    expect(settings.get("WEBSITE_RUN_FROM_PACKAGE")).toBe("'1'");
  });

  it("keeps the vault event subscriptions out of main.bicep, in events.bicep on the existing site", () => {
    for (const type of [
      "Microsoft.EventGrid/systemTopics",
      "Microsoft.EventGrid/systemTopics/eventSubscriptions",
    ]) {
      expect(resources(main).some((resource) => resource.type === type)).toBe(false);
    }
    const site = resources(events).find((resource) => resource.type === "Microsoft.Web/sites");
    expect(site?.isExisting).toBe(true);
    expect(resources(events).filter((resource) => !resource.isExisting)).toEqual([]);
    expect(events).toMatch(
      /module vaultEvents 'modules\/vaultEvents\.bicep' = \[\s*for vault in allowedVaults:/,
    );
    expect(params(main).map((param) => param.name)).not.toContain("subscribeToVaultEvents");
  });

  it("gives events.bicep every parameter it declares from main.bicep's eventsParameters output", () => {
    const output = /^output eventsParameters object = \{([\s\S]*?)^\}/m.exec(main)?.[1] ?? "";
    const passed = [...output.matchAll(/^\s*(\w+): \{ value:/gm)].map((match) => match[1]).sort();
    expect(passed).toEqual(
      params(events)
        .map((param) => param.name)
        .sort(),
    );
  });

  it("turns basic publishing credentials off for FTP and SCM", () => {
    const policies = resources(main).filter(
      (resource) => resource.type === "Microsoft.Web/sites/basicPublishingCredentialsPolicies",
    );
    expect(policies.map((policy) => property(policy.body, "name")).sort()).toEqual(["'ftp'", "'scm'"]);
    for (const policy of policies) expect(property(policy.body, "allow")).toBe("false");
  });

  it("sanitises namePrefix before it names anything", () => {
    expect(main).toMatch(/^var safePrefix = take\(toLower\(replace\(/m);
    const uses = main.match(/\bnamePrefix\b/g) ?? [];
    // The parameter declaration and the one sanitising expression.
    expect(uses).toHaveLength(2);
  });

  it("names every module deployment with the instance suffix, so two instances never collide", () => {
    for (const [name, text] of Object.entries(allTemplates)) {
      for (const match of text.matchAll(/^module\s+(\w+)\s+'[^']+'\s*=/gm)) {
        const rest = text.slice((match.index ?? 0) + match[0].length);
        const deploymentName = /^\s*name:\s*(.+)$/m.exec(rest)?.[1] ?? "";
        expect(deploymentName, `${name}: module ${match[1]}`).toMatch(/\$\{(suffix|nameSuffix)\}/);
      }
    }
  });
});

describe("infra Event Grid subscription on each vault", () => {
  const subscription = resources(modules.vaultEvents).find(
    (resource) => resource.type === "Microsoft.EventGrid/systemTopics/eventSubscriptions",
  );
  const topic = resources(modules.vaultEvents).find((r) => r.type === "Microsoft.EventGrid/systemTopics");

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

  it("dead-letters undeliverable events to blob storage with Event Grid's identity, no key", () => {
    expect(subscription?.body).toMatch(
      /deadLetterWithResourceIdentity: \{\s*identity: \{\s*type: 'UserAssigned'\s*userAssignedIdentity: eventGridIdentityId\s*\}\s*deadLetterDestination: \{\s*endpointType: 'StorageBlob'/,
    );
    expect(subscription?.body).toMatch(/maxDeliveryAttempts: \d+/);
    expect(topic?.body).toMatch(
      /identity: \{\s*type: 'UserAssigned'\s*userAssignedIdentities: \{ '\$\{eventGridIdentityId\}': \{\} \}/,
    );
    const [assignment] = roleAssignments(modules.deadLetterWriter);
    expect(property(assignment.body, "scope")).toBe("container");
    expect(modules.deadLetterWriter).toContain(ROLE.storageBlobDataContributor);
    expect(main).toMatch(/principalId: eventGridIdentity\.properties\.principalId/);
  });

  it("listens on the vault's system topic, created only when the vault has none yet", () => {
    expect(property(topic?.body ?? "", "source")).toBe("vault.id");
    expect(property(topic?.body ?? "", "topicType")).toBe("'Microsoft.KeyVault.vaults'");
    expect(modules.vaultEvents).toMatch(/resource systemTopic '[^']+' = if \(isNewTopic\)/);
    expect(modules.vaultEvents).toMatch(/var isNewTopic = empty\(existingSystemTopicName\)/);
    expect(events).toMatch(/existingSystemTopicName: contains\(vault, 'existingSystemTopic'\)/);
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
        expect(Object.keys(entry)).toEqual(expect.arrayContaining(["name", "resourceGroup"]));
        const allowed =
          name === "allowedVaults"
            ? ["existingSystemTopic", "name", "resourceGroup"]
            : ["name", "resourceGroup"];
        for (const key of Object.keys(entry)) expect(allowed).toContain(key);
      }
    }
  });
});
