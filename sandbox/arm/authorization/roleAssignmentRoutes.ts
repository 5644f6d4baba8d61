// Microsoft.Authorization/roleAssignments at any scope: PUT, GET, DELETE one, list with $filter (api-version 2022-04-01).
import { ArmError, isRecord, requireObjectBody } from "../http/armHttp";
import type { Route } from "../http/RouteContext";
import { GUID, type RoleAssignment, type RoleAssignments } from "./RoleAssignments";

const PROVIDER = ["providers", "microsoft.authorization", "roleassignments"];

/** `{scope}/providers/Microsoft.Authorization/roleAssignments[/{name}]`: the scope is everything before the provider. */
function parsePath(segments: string[]): { scope: string; name?: string } | undefined {
  const lower = segments.map((s) => s.toLowerCase());
  for (let i = lower.length - 3; i >= 0; i--) {
    if (lower[i] === PROVIDER[0] && lower[i + 1] === PROVIDER[1] && lower[i + 2] === PROVIDER[2]) {
      const rest = segments.slice(i + 3);
      if (rest.length > 1) return undefined;
      return { scope: `/${segments.slice(0, i).join("/")}`, name: rest[0] };
    }
  }
  return undefined;
}

export function roleAssignmentToWire(
  assignment: RoleAssignment,
  subscriptionId: string,
): Record<string, unknown> {
  return {
    id: `${assignment.scope}/providers/Microsoft.Authorization/roleAssignments/${assignment.name}`,
    name: assignment.name,
    type: "Microsoft.Authorization/roleAssignments",
    properties: {
      scope: assignment.scope,
      roleDefinitionId: `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${assignment.roleGuid}`,
      principalId: assignment.principalId,
      principalType: assignment.principalType,
      createdOn: assignment.createdOn,
      updatedOn: assignment.updatedOn,
      createdBy: assignment.createdBy,
      updatedBy: assignment.createdBy,
    },
  };
}

function subscriptionOf(scope: string, fallback: string): string {
  return /^\/subscriptions\/([^/]+)/i.exec(scope)?.[1] ?? fallback;
}

export function roleAssignmentRoutes(assignments: RoleAssignments, primarySubscriptionId: string): Route {
  return (ctx) => {
    const parsed = parsePath(ctx.req.segments);
    if (!parsed) return Promise.resolve(false);
    ctx.apiVersion();
    const { method, body, query, principalId } = ctx.req;
    const subscriptionId = subscriptionOf(parsed.scope, primarySubscriptionId);
    const toWire = (a: RoleAssignment) => roleAssignmentToWire(a, subscriptionId);
    if (parsed.name === undefined) {
      if (method !== "GET")
        throw new ArmError(405, "MethodNotAllowed", `The method '${method}' is not allowed here.`);
      return Promise.resolve(
        ctx.send(200, { value: assignments.list(parsed.scope, query.get("$filter")).map(toWire) }),
      );
    }
    const name = parsed.name;
    if (method === "GET") {
      const found = assignments.get(parsed.scope, name);
      if (!found)
        throw new ArmError(404, "RoleAssignmentNotFound", `The role assignment '${name}' is not found.`);
      return Promise.resolve(ctx.send(200, toWire(found)));
    }
    if (method === "DELETE") {
      const deleted = assignments.delete(parsed.scope, name);
      return Promise.resolve(deleted ? ctx.send(200, toWire(deleted)) : ctx.send(204, undefined));
    }
    if (method === "PUT") {
      const source = requireObjectBody(body, "role assignment");
      const properties = isRecord(source.properties) ? source.properties : {};
      const roleDefinitionId = properties.roleDefinitionId;
      const assignee = properties.principalId;
      if (typeof roleDefinitionId !== "string" || typeof assignee !== "string") {
        throw new ArmError(
          400,
          "InvalidRequestContent",
          "'properties.roleDefinitionId' and 'properties.principalId' are required.",
        );
      }
      if (!GUID.test(assignee)) {
        throw new ArmError(
          400,
          "InvalidPrincipalId",
          `A valid principal ID must be provided for role assignment, got '${assignee}'.`,
        );
      }
      const { assignment, isNew } = assignments.create({
        scope: parsed.scope,
        name,
        roleDefinitionId,
        principalId: assignee,
        principalType: typeof properties.principalType === "string" ? properties.principalType : undefined,
        createdBy: principalId,
      });
      return Promise.resolve(ctx.send(isNew ? 201 : 200, toWire(assignment)));
    }
    throw new ArmError(405, "MethodNotAllowed", `The method '${method}' is not allowed here.`);
  };
}
