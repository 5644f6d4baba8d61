// Runs a printed `az role assignment create …` line as az would: the role looked up by name, then one PUT of a
// role assignment through the official @azure/arm-authorization client, as the sandbox's operator (an admin).
import { randomUUID } from "node:crypto";
import { commandsIn } from "../../../cli/renderKeyChange";
import { KEY_VAULT_ROLE_IDS } from "../keyVaultRbac";
import type { SandboxState } from "../sandboxState";
import { authorizationClient } from "./demoClients";

export interface RoleAssignmentCommand {
  principalId: string;
  principalType: string;
  roleName: string;
  scope: string;
  /** The line as printed. */
  line: string;
}

/** Every distinct `az role assignment create` line in a CLI output (each is printed whole on a line of its own). */
export function roleAssignmentCommandsIn(output: string): RoleAssignmentCommand[] {
  const lines = [
    ...new Set(commandsIn(output).filter((line) => line.startsWith("az role assignment create "))),
  ];
  return lines.map(parseRoleAssignmentCommand);
}

/** `--assignee-object-id <id> [--assignee-principal-type <t>] --role "<name>" --scope <armId>`, quotes as a shell reads them. */
export function parseRoleAssignmentCommand(line: string): RoleAssignmentCommand {
  const words = [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
  const flag = (name: string) => {
    const index = words.indexOf(name);
    return index >= 0 ? words[index + 1] : undefined;
  };
  const principalId = flag("--assignee-object-id");
  const roleName = flag("--role");
  const scope = flag("--scope");
  if (!principalId || !roleName || !scope)
    throw new Error(`"${line}" lacks --assignee-object-id, --role or --scope`);
  return {
    principalId,
    principalType: flag("--assignee-principal-type") ?? "ServicePrincipal",
    roleName,
    scope,
    line,
  };
}

/** PUT {scope}/providers/Microsoft.Authorization/roleAssignments/{new GUID}; needs roleAssignments/write at the scope. */
export async function grantRole(state: SandboxState, command: RoleAssignmentCommand): Promise<void> {
  const roleId = KEY_VAULT_ROLE_IDS[command.roleName];
  if (!roleId) throw new Error(`role "${command.roleName}" is not one the sandbox knows by name`);
  const subscriptionId = /^\/subscriptions\/([^/]+)/i.exec(command.scope)?.[1];
  if (!subscriptionId) throw new Error(`scope ${command.scope} names no subscription`);
  await authorizationClient(state, subscriptionId).roleAssignments.create(command.scope, randomUUID(), {
    roleDefinitionId: `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${roleId}`,
    principalId: command.principalId,
    principalType: command.principalType,
  });
}
