// ARM routes of Microsoft.PowerPlatform/enterprisePolicies, including the Azure-AsyncOperation status resource.
import { ArmError, matchSegments } from "../http/armHttp";
import type { Route, RouteContext } from "../http/RouteContext";
import type { AsyncOperation, AsyncOperations } from "../operations/AsyncOperations";
import { methodNotAllowed } from "../storage/storageRoutes";
import type { EnterprisePolicies } from "./EnterprisePolicies";
import type { EnterprisePolicy } from "./EnterprisePolicy";
import { POLICY_API_VERSIONS, parsePolicyPatch, parsePolicyPut, policyToWire } from "./policyWire";

const PROVIDER = "providers/Microsoft.PowerPlatform/enterprisePolicies";

function checkPolicyApiVersion(ctx: RouteContext): string {
  const version = ctx.apiVersion();
  if (!POLICY_API_VERSIONS.includes(version)) {
    throw new ArmError(
      400,
      "InvalidApiVersionParameter",
      `The api-version '${version}' is invalid for Microsoft.PowerPlatform/enterprisePolicies. The supported versions are '${POLICY_API_VERSIONS.join("', '")}'.`,
    );
  }
  return version;
}

export function policyRoutes(
  policies: EnterprisePolicies,
  operations: AsyncOperations,
  tenantId: string,
): Route {
  const toWire = (policy: EnterprisePolicy) => policyToWire(policy, tenantId);

  return async (ctx) => {
    const { method, segments } = ctx.req;
    const operation = matchSegments(
      "subscriptions/:sub/providers/Microsoft.PowerPlatform/locations/:location/operations/:operationId",
      segments,
    );
    if (operation) {
      ctx.requireSubscription(operation.sub);
      return ctx.send(200, operationToWire(operations.get(operation.operationId), operation.operationId));
    }
    const listAll = matchSegments(`subscriptions/:sub/${PROVIDER}`, segments);
    const listGroup = matchSegments(`subscriptions/:sub/resourceGroups/:rg/${PROVIDER}`, segments);
    const one = matchSegments(`subscriptions/:sub/resourceGroups/:rg/${PROVIDER}/:name`, segments);
    const params = listAll ?? listGroup ?? one;
    if (!params) return false;
    const apiVersion = checkPolicyApiVersion(ctx);
    ctx.requireSubscription(params.sub);
    const { sub, rg, name } = params;

    if (!one) {
      if (method !== "GET") throw methodNotAllowed(method);
      const listed = policies.list(sub, rg);
      await Promise.all(listed.map((p) => policies.evaluateHealth(p)));
      return ctx.send(200, { value: listed.map(toWire) });
    }
    switch (method) {
      case "GET": {
        const policy = policies.get(sub, rg, name);
        await policies.evaluateHealth(policy);
        return ctx.send(200, toWire(policy));
      }
      case "PUT": {
        const result = policies.createOrUpdate(sub, rg, name, parsePolicyPut(ctx.req.body));
        const statusUrl =
          `${ctx.baseUrl}/subscriptions/${sub}/providers/Microsoft.PowerPlatform/locations/` +
          `${encodeURIComponent(result.policy.location.replace(/\s/g, "").toLowerCase())}/operations/${result.operation.id}?api-version=${apiVersion}`;
        return ctx.send(result.isNew ? 201 : 200, toWire(result.policy), {
          "azure-asyncoperation": statusUrl,
        });
      }
      case "PATCH":
        return ctx.send(200, toWire(policies.update(sub, rg, name, parsePolicyPatch(ctx.req.body))));
      case "DELETE":
        return ctx.send(policies.delete(sub, rg, name) ? 200 : 204, undefined);
      default:
        throw methodNotAllowed(method);
    }
  };
}

/** ARM's asynchronous operation status body. */
function operationToWire(
  operation: AsyncOperation | undefined,
  operationId: string,
): Record<string, unknown> {
  if (!operation)
    throw new ArmError(404, "OperationNotFound", `The operation '${operationId}' was not found.`);
  return {
    id: operation.id,
    name: operation.id,
    status: operation.status,
    startTime: operation.startTime,
    ...(operation.endTime ? { endTime: operation.endTime } : {}),
    ...(operation.error ? { error: operation.error } : {}),
  };
}
