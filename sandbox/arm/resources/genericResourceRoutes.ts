// Microsoft.Resources list routes (`…/resources`, optional `$filter=resourceType eq '…'`) over the emulated resources.
import { ArmError, matchSegments } from "../http/armHttp";
import type { Route } from "../http/RouteContext";

/** A resource as the generic list returns it. */
export interface GenericResource {
  id: string;
  name: string;
  type: string;
  location: string;
  kind?: string;
  tags?: Record<string, string>;
  resourceGroup: string;
}

export function genericResourceRoutes(listResources: (subscriptionId: string) => GenericResource[]): Route {
  return (ctx) => {
    const { method, segments } = ctx.req;
    const params =
      matchSegments("subscriptions/:sub/resources", segments) ??
      matchSegments("subscriptions/:sub/resourceGroups/:rg/resources", segments);
    if (!params) return Promise.resolve(false);
    if (method !== "GET")
      throw new ArmError(405, "MethodNotAllowed", `The method '${method}' is not allowed here.`);
    ctx.apiVersion();
    ctx.requireSubscription(params.sub);
    const typeFilter = parseTypeFilter(ctx.req.query.get("$filter"));
    const value = listResources(params.sub)
      .filter((r) => params.rg === undefined || r.resourceGroup.toLowerCase() === params.rg.toLowerCase())
      .filter((r) => typeFilter === undefined || r.type.toLowerCase() === typeFilter.toLowerCase())
      .map(({ resourceGroup: _resourceGroup, ...resource }) => resource);
    return Promise.resolve(ctx.send(200, { value }));
  };
}

/** Only `resourceType eq '<type>'` is understood; any other filter is a 400 rather than a silent full list. */
function parseTypeFilter(filter: string | null): string | undefined {
  if (!filter) return undefined;
  const match = /^\s*resourceType\s+eq\s+'([^']+)'\s*$/i.exec(filter);
  if (!match) {
    throw new ArmError(
      400,
      "InvalidFilterInQueryString",
      `Only "$filter=resourceType eq '<type>'" is supported, got '${filter}'.`,
    );
  }
  return match[1];
}
