// The emulator's own control API under /_emulator/… (no token): seeds, probes, faults, throttling.
import type { ArmResources } from "./ArmResources";
import { ArmError, isRecord, matchSegments, requireObjectBody } from "./http/armHttp";
import type { Route } from "./http/RouteContext";
import { parseFaults } from "./limits/Faults";
import { resourceGraphControlRoutes } from "./resourceGraph/resourceGraphControlRoutes";
import type { VaultProperties } from "./keyVaults/VaultResources";
import type { EnterprisePolicySeed, EnvironmentSeed, StorageAccountSeed } from "./types";

function stringOf(body: Record<string, unknown>, key: string, isRequired: boolean): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) {
    if (isRequired) throw new ArmError(400, "InvalidRequestContent", `'${key}' is required.`);
    return undefined;
  }
  if (typeof value !== "string")
    throw new ArmError(400, "InvalidRequestContent", `'${key}' must be a string.`);
  return value;
}

function parseStorageSeed(body: unknown): StorageAccountSeed {
  const source = requireObjectBody(body, "storage account seed");
  const seed: StorageAccountSeed = {
    name: stringOf(source, "name", true) ?? "",
    subscriptionId: stringOf(source, "subscriptionId", false),
    resourceGroup: stringOf(source, "resourceGroup", false),
    location: stringOf(source, "location", false),
  };
  const identity = source.userAssignedIdentity;
  if (isRecord(identity)) {
    seed.userAssignedIdentity = {
      id: stringOf(identity, "id", false),
      principalId: stringOf(identity, "principalId", false),
    };
  }
  const cmk = source.customerManagedKey;
  if (cmk !== undefined) {
    if (!isRecord(cmk))
      throw new ArmError(400, "InvalidRequestContent", "'customerManagedKey' must be an object.");
    seed.customerManagedKey = {
      vaultName: stringOf(cmk, "vaultName", false),
      vaultUri: stringOf(cmk, "vaultUri", false),
      keyName: stringOf(cmk, "keyName", true) ?? "",
      keyVersion: stringOf(cmk, "keyVersion", false),
    };
  }
  return seed;
}

function parsePolicySeed(body: unknown): EnterprisePolicySeed {
  const source = requireObjectBody(body, "enterprise policy seed");
  return {
    name: stringOf(source, "name", true) ?? "",
    subscriptionId: stringOf(source, "subscriptionId", false),
    resourceGroup: stringOf(source, "resourceGroup", false),
    location: stringOf(source, "location", false),
    keyVaultName: stringOf(source, "keyVaultName", false),
    keyVaultId: stringOf(source, "keyVaultId", false),
    keyName: stringOf(source, "keyName", true) ?? "",
    keyVersion: stringOf(source, "keyVersion", false),
    principalId: stringOf(source, "principalId", false),
  };
}

function parseEnvironmentSeed(body: unknown): EnvironmentSeed {
  const source = body === undefined ? {} : requireObjectBody(body, "environment seed");
  return {
    id: stringOf(source, "id", false),
    displayName: stringOf(source, "displayName", false),
    location: stringOf(source, "location", false),
    policyId: stringOf(source, "policyId", false),
  };
}

const VAULT_PROPERTY_NAMES = [
  "enableSoftDelete",
  "enablePurgeProtection",
  "enableRbacAuthorization",
  "softDeleteRetentionInDays",
] as const;

function parseVaultProperties(body: unknown): Partial<VaultProperties> {
  const source = requireObjectBody(body, "vault properties");
  const properties: Partial<Record<(typeof VAULT_PROPERTY_NAMES)[number], boolean | number>> = {};
  for (const [name, value] of Object.entries(source)) {
    const known = VAULT_PROPERTY_NAMES.find((n) => n === name);
    if (!known) {
      throw new ArmError(
        400,
        "InvalidRequestContent",
        `Unknown vault property '${name}': use ${VAULT_PROPERTY_NAMES.join(", ")}.`,
      );
    }
    const expected = known === "softDeleteRetentionInDays" ? "number" : "boolean";
    if (typeof value !== expected)
      throw new ArmError(400, "InvalidRequestContent", `'${name}' must be a ${expected}.`);
    properties[known] = value as boolean | number;
  }
  return properties as Partial<VaultProperties>;
}

export function emulatorRoutes(resources: ArmResources): Route {
  const resourceGraphControl = resourceGraphControlRoutes(resources);
  return async (ctx) => {
    if (await resourceGraphControl(ctx)) return true;
    const { method, segments, body } = ctx.req;
    const route = segments.slice(1).join("/");
    const is = (verb: string, pattern: string) =>
      method === verb && matchSegments(pattern, segments.slice(1));

    if (is("GET", "storageAccounts")) return ctx.send(200, { value: resources.storageAccountSummaries() });
    if (is("POST", "storageAccounts"))
      return ctx.send(201, await resources.seedStorageAccount(parseStorageSeed(body)));
    const probe = is("GET", "storageAccounts/:name/dataAccess");
    if (probe) {
      const result = await resources.storage.dataAccess(probe.name);
      return ctx.send(result.status, result);
    }
    if (is("GET", "enterprisePolicies"))
      return ctx.send(200, { value: await resources.enterprisePolicySummaries() });
    if (is("POST", "enterprisePolicies")) {
      return ctx.send(201, await resources.seedEnterprisePolicy(parsePolicySeed(body)));
    }
    if (is("GET", "environments")) return ctx.send(200, { value: await resources.environmentSummaries() });
    if (is("POST", "environments"))
      return ctx.send(201, resources.seedEnvironment(parseEnvironmentSeed(body)));
    const environmentProbe = is("GET", "environments/:id/dataAccess");
    if (environmentProbe) {
      const result = await resources.environments.dataAccess(environmentProbe.id);
      return ctx.send(result.status, result);
    }
    if (is("PUT", "powerPlatform/operations")) {
      const durationMs = isRecord(body) ? body.durationMs : undefined;
      const retryAfterSeconds = isRecord(body) ? body.retryAfterSeconds : undefined;
      const isDurationValid =
        typeof durationMs === "number" && Number.isFinite(durationMs) && durationMs >= 0;
      const isRetryAfterValid =
        retryAfterSeconds === undefined ||
        (Number.isInteger(retryAfterSeconds) && (retryAfterSeconds as number) >= 1);
      if (!isDurationValid || !isRetryAfterValid)
        throw new ArmError(
          400,
          "InvalidRequestContent",
          'Body must be {"durationMs": <number ≥ 0>, "retryAfterSeconds"?: <whole number ≥ 1>}.',
        );
      resources.environments.setOperationDuration(durationMs, retryAfterSeconds as number | undefined);
      return ctx.send(200, { durationMs, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) });
    }
    if (is("GET", "vaults"))
      return ctx.send(200, { value: resources.vaultResources.all().map((v) => resources.vaultWire(v.name)) });
    const vault = is("PUT", "vaults/:name");
    if (vault) {
      resources.vaultResources.update(vault.name, parseVaultProperties(body));
      return ctx.send(200, resources.vaultWire(vault.name));
    }
    if (is("GET", "roleAssignments")) return ctx.send(200, { value: resources.roleAssignments.all() });
    const enable = is("POST", "environments/:id/enable");
    if (enable) return ctx.send(200, await resources.enableEnvironment(enable.id));
    if (is("GET", "faults")) return ctx.send(200, resources.faults.current());
    if (is("PUT", "faults")) {
      resources.faults.set(parseFaults(body));
      return ctx.send(200, resources.faults.current());
    }
    if (is("DELETE", "faults")) {
      resources.faults.clear();
      return ctx.send(204, undefined);
    }
    if (is("GET", "throttling")) {
      const { enabled, throttledRequests } = resources.throttling;
      return ctx.send(200, { enabled, throttledRequests });
    }
    if (is("PUT", "throttling")) {
      const enabled = isRecord(body) ? body.enabled : undefined;
      if (typeof enabled !== "boolean")
        throw new ArmError(400, "InvalidRequestContent", 'Body must be {"enabled": true|false}.');
      resources.throttling.enabled = enabled;
      return ctx.send(200, { enabled });
    }
    throw new ArmError(404, "NotFound", `No emulator route ${method} /_emulator/${route}.`);
  };
}
