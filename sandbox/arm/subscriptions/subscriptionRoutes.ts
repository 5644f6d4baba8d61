// Microsoft.Resources `GET /subscriptions` and `GET /subscriptions/{id}`: the subscriptions the caller may read.
import { ArmError, matchSegments } from "../http/armHttp";
import type { Route } from "../http/RouteContext";
import type { Subscriptions } from "./Subscriptions";

export function subscriptionRoutes(subscriptions: Subscriptions): Route {
  const toWire = (subscriptionId: string) => ({
    id: `/subscriptions/${subscriptionId}`,
    subscriptionId,
    tenantId: subscriptions.tenantId,
    displayName:
      subscriptionId === subscriptions.primaryId
        ? "Sandbox subscription"
        : `Sandbox subscription ${subscriptionId.slice(-4)}`,
    state: "Enabled",
    authorizationSource: "RoleBased",
  });
  return (ctx) => {
    const { method, segments, principalId } = ctx.req;
    const one = matchSegments("subscriptions/:sub", segments);
    const isList = matchSegments("subscriptions", segments) !== undefined;
    if (!one && !isList) return Promise.resolve(false);
    if (method !== "GET")
      throw new ArmError(405, "MethodNotAllowed", `The method '${method}' is not allowed here.`);
    ctx.apiVersion();
    if (one)
      return Promise.resolve(ctx.send(200, toWire(subscriptions.requireReadable(one.sub, principalId))));
    return Promise.resolve(ctx.send(200, { value: subscriptions.readableBy(principalId).map(toWire) }));
  };
}
