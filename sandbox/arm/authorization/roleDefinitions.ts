// The built-in Azure roles the emulator knows, with the Key Vault data actions each one grants.

export interface RoleDefinition {
  /** The built-in role's GUID (the same in every tenant). */
  id: string;
  roleName: string;
  /** Key Vault data actions granted; `*` at the end matches a prefix. */
  dataActions: string[];
}

const KEY_ACTIONS = "Microsoft.KeyVault/vaults/keys";

/** From Azure's built-in roles reference (learn.microsoft.com/azure/role-based-access-control/built-in-roles/security). */
export const BUILT_IN_ROLES: readonly RoleDefinition[] = [
  {
    id: "00482a5a-887f-4fb3-b363-3b7fe8e74483",
    roleName: "Key Vault Administrator",
    dataActions: ["Microsoft.KeyVault/vaults/*"],
  },
  {
    id: "14b46e9e-c2b7-41b4-b07b-48a6ebf60603",
    roleName: "Key Vault Crypto Officer",
    dataActions: [`${KEY_ACTIONS}/*`, "Microsoft.KeyVault/vaults/deletedKeys/*"],
  },
  {
    id: "e147488a-f6f5-4113-8e2d-b22465e65bf6",
    roleName: "Key Vault Crypto Service Encryption User",
    dataActions: [`${KEY_ACTIONS}/read`, `${KEY_ACTIONS}/wrap/action`, `${KEY_ACTIONS}/unwrap/action`],
  },
  {
    id: "12338af0-0e69-4776-bea7-57ae8d297424",
    roleName: "Key Vault Crypto User",
    dataActions: [
      `${KEY_ACTIONS}/read`,
      `${KEY_ACTIONS}/update/action`,
      `${KEY_ACTIONS}/backup/action`,
      `${KEY_ACTIONS}/encrypt/action`,
      `${KEY_ACTIONS}/decrypt/action`,
      `${KEY_ACTIONS}/wrap/action`,
      `${KEY_ACTIONS}/unwrap/action`,
      `${KEY_ACTIONS}/sign/action`,
      `${KEY_ACTIONS}/verify/action`,
    ],
  },
  { id: "21090545-7ca7-4776-b22c-e363652d74d2", roleName: "Key Vault Reader", dataActions: [] },
  { id: "acdd72a7-3385-48ef-bd42-f606fba81ae7", roleName: "Reader", dataActions: [] },
  { id: "b24988ac-6180-42a0-ab88-20f7382dd24c", roleName: "Contributor", dataActions: [] },
  { id: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", roleName: "Owner", dataActions: [] },
];

export function findRole(roleGuid: string): RoleDefinition | undefined {
  const wanted = roleGuid.toLowerCase();
  return BUILT_IN_ROLES.find((role) => role.id === wanted);
}

export function grantsDataAction(role: RoleDefinition, dataAction: string): boolean {
  const wanted = dataAction.toLowerCase();
  return role.dataActions.some((granted) => {
    const pattern = granted.toLowerCase();
    return pattern.endsWith("/*") ? wanted.startsWith(pattern.slice(0, -1)) : wanted === pattern;
  });
}
