// POST /providers/Microsoft.ResourceGraph/resources: the query, its scope, the user quota and paging.
import { ArmError, matchSegments } from "../http/armHttp";
import type { Route } from "../http/RouteContext";
import type { FaultInjector } from "../limits/Faults";
import type { Subscriptions } from "../subscriptions/Subscriptions";
import { evaluateQuery, type Row } from "./kql/evaluateQuery";
import { parseQuery } from "./kql/parseQuery";
import { page, pagingScope } from "./paging";
import { badRequest, parseQueryRequest, type QueryRequest } from "./queryRequest";
import type { UserQuota } from "./UserQuota";

/** 2024-04-01 is what @azure/arm-resourcegraph 5.0.0 sends; the two older GA versions answer the same shape. */
export const RESOURCE_GRAPH_API_VERSIONS = ["2024-04-01", "2022-10-01", "2021-03-01"];

export interface ResourceGraphDeps {
  subscriptions: Subscriptions;
  quota: UserQuota;
  /** Faults for Resource Graph alone (the ARM-wide faults apply before routing). */
  faults: FaultInjector;
  rows(subscriptionIds: string[]): Row[];
}

export function resourceGraphRoutes(deps: ResourceGraphDeps): Route {
  return async (ctx) => {
    const { method, segments, principalId } = ctx.req;
    if (!matchSegments("providers/Microsoft.ResourceGraph/resources", segments)) return false;
    if (method !== "POST")
      throw new ArmError(405, "MethodNotAllowed", `The method '${method}' is not allowed here: use POST.`);
    const version = ctx.apiVersion();
    if (!RESOURCE_GRAPH_API_VERSIONS.includes(version)) {
      throw new ArmError(
        400,
        "InvalidApiVersionParameter",
        `The api-version '${version}' is invalid for Microsoft.ResourceGraph/resources. The supported versions are '${RESOURCE_GRAPH_API_VERSIONS.join("', '")}'.`,
      );
    }
    await deps.faults.apply();
    Object.assign(ctx.headers, deps.quota.charge(principalId));
    const request = parseQueryRequest(ctx.req.body);
    const query = parseQuery(request.query);
    const subscriptionIds = scope(request, deps.subscriptions, principalId);
    const rows = evaluateQuery(query, deps.rows(subscriptionIds));
    return ctx.send(200, page(rows, request, pagingScope(request.query, subscriptionIds)));
  };
}

/** The subscriptions to search: those named (or all), minus those the caller may not read. */
function scope(request: QueryRequest, subscriptions: Subscriptions, principalId: string): string[] {
  const readable = subscriptions.readableBy(principalId);
  for (const group of request.managementGroups ?? []) {
    if (group.toLowerCase() !== subscriptions.tenantId.toLowerCase()) {
      throw badRequest(
        `The management group '${group}' is not known: the emulator has only the tenant root group '${subscriptions.tenantId}'.`,
      );
    }
  }
  if (!request.subscriptions) return readable;
  const named = new Set(request.subscriptions.map((id) => id.toLowerCase()));
  return readable.filter((id) => named.has(id.toLowerCase()));
}
