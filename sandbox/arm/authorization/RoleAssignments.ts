// Azure role assignments (Microsoft.Authorization/roleAssignments): who holds which role at which scope.
import { ArmError } from "../http/armHttp";
import { findRole, grantsDataAction, type RoleDefinition } from "./roleDefinitions";

export interface RoleAssignment {
  /** The assignment's name, a GUID chosen by the caller. */
  name: string;
  /** ARM scope as given, without a trailing slash: `/subscriptions/…` down to a key. */
  scope: string;
  roleGuid: string;
  principalId: string;
  principalType: string;
  createdOn: string;
  updatedOn: string;
  createdBy: string;
}

export interface NewRoleAssignment {
  scope: string;
  name: string;
  /** `/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{guid}` or the bare GUID. */
  roleDefinitionId: string;
  principalId: string;
  principalType?: string;
  createdBy: string;
}

export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function normalizeScope(scope: string): string {
  return `/${scope.replace(/^\/+|\/+$/g, "")}`;
}

/** Scopes compare case-insensitively, as ARM ids do. */
function scopeKey(scope: string): string {
  return normalizeScope(scope).toLowerCase();
}

/** True when an assignment at `parent` applies at `child` (the same scope or one below it). */
export function isAtOrAbove(parentScope: string, childScope: string): boolean {
  const parent = scopeKey(parentScope);
  const child = scopeKey(childScope);
  return parent === "/" || child === parent || child.startsWith(`${parent}/`);
}

export class RoleAssignments {
  private readonly assignments = new Map<string, RoleAssignment>();

  constructor(private readonly nowIso: () => string) {}

  /** PUT: 201 for a new assignment, 200 for the same one again; 409 RoleAssignmentExists for a duplicate under another name. */
  create(input: NewRoleAssignment): { assignment: RoleAssignment; isNew: boolean } {
    if (!GUID.test(input.name)) {
      throw new ArmError(
        400,
        "InvalidRoleAssignmentId",
        `The role assignment ID '${input.name}' is not valid. The role assignment ID must be a GUID.`,
      );
    }
    const roleGuid = input.roleDefinitionId.split("/").pop()?.toLowerCase() ?? "";
    if (!findRole(roleGuid)) {
      throw new ArmError(
        400,
        "RoleDefinitionDoesNotExist",
        `The specified role definition with ID '${roleGuid}' does not exist.`,
      );
    }
    const scope = normalizeScope(input.scope);
    const existing = this.assignments.get(input.name.toLowerCase());
    if (existing) {
      const isSame =
        scopeKey(existing.scope) === scopeKey(scope) &&
        existing.roleGuid === roleGuid &&
        existing.principalId === input.principalId.toLowerCase();
      if (isSame) return { assignment: existing, isNew: false };
      throw new ArmError(
        400,
        "RoleAssignmentUpdateNotPermitted",
        "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.",
      );
    }
    const duplicate = this.all().find(
      (a) =>
        scopeKey(a.scope) === scopeKey(scope) &&
        a.roleGuid === roleGuid &&
        a.principalId === input.principalId.toLowerCase(),
    );
    if (duplicate) {
      throw new ArmError(409, "RoleAssignmentExists", "The role assignment already exists.", {
        "x-ms-existing-role-assignment": duplicate.name,
      });
    }
    const now = this.nowIso();
    const assignment: RoleAssignment = {
      name: input.name.toLowerCase(),
      scope,
      roleGuid,
      principalId: input.principalId.toLowerCase(),
      principalType: input.principalType ?? "ServicePrincipal",
      createdOn: now,
      updatedOn: now,
      createdBy: input.createdBy,
    };
    this.assignments.set(assignment.name, assignment);
    return { assignment, isNew: true };
  }

  get(scope: string, name: string): RoleAssignment | undefined {
    const found = this.assignments.get(name.toLowerCase());
    return found && scopeKey(found.scope) === scopeKey(scope) ? found : undefined;
  }

  delete(scope: string, name: string): RoleAssignment | undefined {
    const found = this.get(scope, name);
    if (found) this.assignments.delete(found.name);
    return found;
  }

  all(): RoleAssignment[] {
    return [...this.assignments.values()];
  }

  /**
   * As Azure lists them: without a filter (or with `atScope()`) the assignments at or above the scope; with
   * `principalId eq '…'` that principal's assignments at, above or below it.
   */
  list(scope: string, filter: string | null): RoleAssignment[] {
    const target = scope;
    const principal = parsePrincipalFilter(filter);
    return this.all().filter((a) => {
      if (principal === undefined) return isAtOrAbove(a.scope, target);
      return a.principalId === principal && (isAtOrAbove(a.scope, target) || isAtOrAbove(target, a.scope));
    });
  }

  /** Does any role the principal holds at or above `scope` grant the data action? */
  grants(principalId: string, scope: string, dataAction: string): boolean {
    const target = scope;
    const principal = principalId.toLowerCase();
    return this.all().some((a) => {
      const role: RoleDefinition | undefined = findRole(a.roleGuid);
      return (
        a.principalId === principal &&
        isAtOrAbove(a.scope, target) &&
        !!role &&
        grantsDataAction(role, dataAction)
      );
    });
  }
}

/** Understands `principalId eq '{id}'` and `atScope()`; any other filter is a 400, never a silently wider list. */
function parsePrincipalFilter(filter: string | null): string | undefined {
  if (!filter || /^\s*atScope\(\)\s*$/i.test(filter)) return undefined;
  const match = /^\s*principalId\s+eq\s+'([^']+)'\s*$/i.exec(filter);
  if (!match) {
    throw new ArmError(
      400,
      "UnsupportedQuery",
      `Only "$filter=principalId eq '<id>'" and "$filter=atScope()" are supported, got '${filter}'.`,
    );
  }
  return match[1].toLowerCase();
}
