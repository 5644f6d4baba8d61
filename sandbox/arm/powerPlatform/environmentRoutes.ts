// Power Platform admin API routes (api.bap.microsoft.com paths): environments, policy link/unlink, re-enable.
import { ArmError, isRecord, matchSegments } from "../http/armHttp";
import type { Route, RouteContext } from "../http/RouteContext";
import type { AsyncOperation, AsyncOperations } from "../operations/AsyncOperations";
import { methodNotAllowed } from "../storage/storageRoutes";
import { BAP_PROVIDER, environmentOperationToWire, environmentToWire } from "./environmentWire";
import type { Environments } from "./Environments";

/** Both the user path (`…/environments`) and the admin path (`…/scopes/admin/environments`) are served. */
const ENVIRONMENT_PREFIXES = [`${BAP_PROVIDER}/environments`, `${BAP_PROVIDER}/scopes/admin/environments`];

function match(pattern: string, segments: string[]): Record<string, string> | undefined {
  for (const prefix of ENVIRONMENT_PREFIXES) {
    const params = matchSegments(pattern ? `${prefix}/${pattern}` : prefix, segments);
    if (params) return params;
  }
  return undefined;
}

export function environmentRoutes(environments: Environments, operations: AsyncOperations): Route {
  const toWire = (id: string) => {
    const environment = environments.get(id);
    return environmentToWire(environment, environments.linkedPolicy(environment));
  };

  return async (ctx) => {
    const { method, segments } = ctx.req;
    if (match("", segments)) {
      if (method !== "GET") throw methodNotAllowed(method);
      await environments.refreshAll();
      return ctx.send(200, { value: environments.all().map((e) => toWire(e.id)) });
    }
    const one = match(":id", segments);
    if (one) {
      if (method !== "GET") throw methodNotAllowed(method);
      await environments.refresh(environments.get(one.id));
      return ctx.send(200, toWire(one.id));
    }
    const enable = match(":id/enable", segments);
    if (enable) {
      if (method !== "POST") throw methodNotAllowed(method);
      await environments.enable(enable.id);
      return ctx.send(200, toWire(enable.id));
    }
    const linkOrUnlink = match(":id/enterprisePolicies/:policyType/:action", segments);
    if (linkOrUnlink && ["link", "unlink"].includes(linkOrUnlink.action.toLowerCase())) {
      if (method !== "POST") throw methodNotAllowed(method);
      return startLinkOperation(ctx, environments, linkOrUnlink);
    }
    const operation = match(":id/operations/:operationId", segments);
    if (operation) {
      if (method !== "GET") throw methodNotAllowed(method);
      const found = operations.get(operation.operationId);
      if (!found)
        throw new ArmError(
          404,
          "OperationNotFound",
          `The operation '${operation.operationId}' was not found.`,
        );
      const retryAfter: Record<string, string> =
        found.status === "InProgress" ? { "retry-after": environments.retryAfterOf(found) } : {};
      return ctx.send(200, environmentOperationToWire(found), retryAfter);
    }
    return false;
  };
}

function startLinkOperation(
  ctx: RouteContext,
  environments: Environments,
  params: Record<string, string>,
): true {
  if (params.policyType.toLowerCase() !== "encryption") {
    throw new ArmError(
      400,
      "UnsupportedEnterprisePolicyType",
      `Only Encryption enterprise policies are emulated, not '${params.policyType}'.`,
    );
  }
  const body = ctx.req.body;
  const systemIdKey = isRecord(body)
    ? Object.keys(body).find((k) => k.toLowerCase() === "systemid")
    : undefined;
  const systemId = isRecord(body) && systemIdKey ? body[systemIdKey] : undefined;
  if (typeof systemId !== "string") {
    throw new ArmError(
      400,
      "InvalidRequestContent",
      'The body must be {"SystemId": "<enterprise policy system id>"}.',
    );
  }
  const operation: AsyncOperation =
    params.action.toLowerCase() === "link"
      ? environments.link(params.id, systemId)
      : environments.unlink(params.id, systemId);
  const apiVersion = ctx.req.query.get("api-version") ?? "2019-10-01";
  const location = `${ctx.baseUrl}/${BAP_PROVIDER}/environments/${params.id}/operations/${operation.id}?api-version=${apiVersion}`;
  return ctx.send(202, undefined, {
    "operation-location": location,
    "retry-after": environments.retryAfterOf(operation),
  });
}
