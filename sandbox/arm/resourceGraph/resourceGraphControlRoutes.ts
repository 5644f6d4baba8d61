// Control routes under /_emulator/… for Resource Graph tests: bulk seeds, quota, faults, subscription access.
import type { ArmResources } from "../ArmResources";
import { ArmError, isRecord, matchSegments, optionalString, requireObjectBody } from "../http/armHttp";
import type { Route } from "../http/RouteContext";
import { parseFaults } from "../limits/Faults";
import type { EnterprisePolicyBulkSeed, StorageAccountBulkSeed } from "../types";
import { parseQuota } from "./UserQuota";

export function resourceGraphControlRoutes(resources: ArmResources): Route {
  return async (ctx) => {
    const { method, body } = ctx.req;
    const segments = ctx.req.segments.slice(1);
    const is = (verb: string, pattern: string) => method === verb && matchSegments(pattern, segments);

    if (is("POST", "storageAccounts/bulk"))
      return ctx.send(201, await resources.seedStorageAccounts(parseStorageBulk(body)));
    if (is("POST", "enterprisePolicies/bulk"))
      return ctx.send(201, resources.seedEnterprisePolicies(parsePolicyBulk(body)));
    if (is("GET", "resourceGraph/quota")) return ctx.send(200, resources.resourceGraphQuota.current());
    if (is("PUT", "resourceGraph/quota")) {
      resources.resourceGraphQuota.set(parseQuota(body));
      return ctx.send(200, resources.resourceGraphQuota.current());
    }
    if (is("GET", "resourceGraph/faults")) return ctx.send(200, resources.resourceGraphFaults.current());
    if (is("PUT", "resourceGraph/faults")) {
      resources.resourceGraphFaults.set(parseFaults(body));
      return ctx.send(200, resources.resourceGraphFaults.current());
    }
    if (is("DELETE", "resourceGraph/faults")) {
      resources.resourceGraphFaults.clear();
      return ctx.send(204, undefined);
    }
    if (is("GET", "subscriptions")) {
      const { subscriptions } = resources;
      const denials = subscriptions.denials();
      return ctx.send(200, {
        value: subscriptions.ids().map((subscriptionId) => ({
          subscriptionId,
          deniedPrincipalIds: denials.find((d) => d.subscriptionId === subscriptionId)?.principalIds ?? [],
        })),
      });
    }
    const access = is("PUT", "subscriptions/:id/access");
    if (access) {
      const source = requireObjectBody(body, '{"isReadable": boolean, "principalId"?: string}');
      const { isReadable, principalId } = source;
      if (typeof isReadable !== "boolean" || (principalId !== undefined && typeof principalId !== "string"))
        throw new ArmError(
          400,
          "InvalidRequestContent",
          'Body must be {"isReadable": true|false, "principalId"?: "<oid>"}.',
        );
      if (isReadable) resources.subscriptions.allow(access.id, principalId);
      else resources.subscriptions.deny(access.id, principalId);
      return ctx.send(200, {
        subscriptionId: resources.subscriptions.require(access.id),
        isReadable,
        principalId,
      });
    }
    return false;
  };
}

function parseStorageBulk(body: unknown): StorageAccountBulkSeed {
  const source = requireObjectBody(body, "a storage account bulk seed");
  const cmk = source.customerManagedKey;
  if (cmk !== undefined && !isRecord(cmk))
    throw new ArmError(400, "InvalidRequestContent", "'customerManagedKey' must be an object.");
  return {
    ...bulkCommon(source),
    customerManagedKey: cmk
      ? {
          vaultName: optionalString(cmk, "vaultName", "customerManagedKey.vaultName"),
          vaultUri: optionalString(cmk, "vaultUri", "customerManagedKey.vaultUri"),
          keyName: requiredString(cmk, "keyName", "customerManagedKey.keyName"),
          keyVersion: optionalString(cmk, "keyVersion", "customerManagedKey.keyVersion"),
        }
      : undefined,
  };
}

function parsePolicyBulk(body: unknown): EnterprisePolicyBulkSeed {
  const source = requireObjectBody(body, "an enterprise policy bulk seed");
  return {
    ...bulkCommon(source),
    keyVaultName: optionalString(source, "keyVaultName", "keyVaultName"),
    keyVaultId: optionalString(source, "keyVaultId", "keyVaultId"),
    keyName: requiredString(source, "keyName", "keyName"),
    keyVersion: optionalString(source, "keyVersion", "keyVersion"),
  };
}

/** The fields both bulk seeds share; the seeding itself checks `count`'s range and the subscriptions. */
function bulkCommon(source: Record<string, unknown>) {
  const { count, subscriptionIds } = source;
  if (typeof count !== "number")
    throw new ArmError(400, "InvalidRequestContent", "'count' must be a number.");
  const isStringList =
    Array.isArray(subscriptionIds) && subscriptionIds.every((id) => typeof id === "string");
  if (subscriptionIds !== undefined && !isStringList)
    throw new ArmError(400, "InvalidRequestContent", "'subscriptionIds' must be an array of strings.");
  return {
    count,
    namePrefix: optionalString(source, "namePrefix", "namePrefix"),
    subscriptionIds: isStringList
      ? subscriptionIds.filter((id): id is string => typeof id === "string")
      : undefined,
    resourceGroup: optionalString(source, "resourceGroup", "resourceGroup"),
    location: optionalString(source, "location", "location"),
  };
}

function requiredString(source: Record<string, unknown>, key: string, path: string): string {
  const value = optionalString(source, key, path);
  if (value === undefined) throw new ArmError(400, "InvalidRequestContent", `'${path}' is required.`);
  return value;
}
