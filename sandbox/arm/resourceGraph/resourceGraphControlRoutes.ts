// Control routes under /_emulator/… for Resource Graph tests: bulk seeds, quota, faults, subscription access.
import type { ArmResources } from "../ArmResources";
import { ArmError, isRecord, matchSegments, requireObjectBody } from "../http/armHttp";
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
      return ctx.send(201, await resources.seedStorageAccounts(parseBulk<StorageAccountBulkSeed>(body)));
    if (is("POST", "enterprisePolicies/bulk"))
      return ctx.send(201, resources.seedEnterprisePolicies(parseBulk<EnterprisePolicyBulkSeed>(body)));
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

/** A bulk seed body: an object with an integer `count` (the seeding validates the rest as its own seed would). */
function parseBulk<T>(body: unknown): T {
  const source = requireObjectBody(body, "a bulk seed");
  if (typeof source.count !== "number")
    throw new ArmError(400, "InvalidRequestContent", "'count' is required.");
  for (const key of [
    "namePrefix",
    "resourceGroup",
    "location",
    "keyVaultName",
    "keyVaultId",
    "keyName",
    "keyVersion",
  ]) {
    if (source[key] !== undefined && typeof source[key] !== "string")
      throw new ArmError(400, "InvalidRequestContent", `'${key}' must be a string.`);
  }
  const { subscriptionIds, customerManagedKey } = source;
  if (
    subscriptionIds !== undefined &&
    !(Array.isArray(subscriptionIds) && subscriptionIds.every((id) => typeof id === "string"))
  )
    throw new ArmError(400, "InvalidRequestContent", "'subscriptionIds' must be an array of strings.");
  if (
    customerManagedKey !== undefined &&
    !(isRecord(customerManagedKey) && typeof customerManagedKey.keyName === "string")
  )
    throw new ArmError(
      400,
      "InvalidRequestContent",
      "'customerManagedKey' must be an object with a 'keyName'.",
    );
  return source as T;
}
