// Per-vault access control by principal id (the token's oid): a deny list, plus role assignments on RBAC vaults.
import { KeyVaultError } from "./errors";

export interface AccessState {
  /** true when every principal is denied unless listed in `allowed`. */
  isDenyAll: boolean;
  denied: string[];
  allowed: string[];
}

/** Decides one data action from role assignments (the ARM emulator owns them); absent = not an RBAC vault. */
export type RbacCheck = (principalId: string, dataAction: string, keyName?: string) => boolean;

/**
 * Everyone may use every key until a principal (or "*", everyone) is denied; on a vault wired to an RBAC check,
 * only principals whose role assignment grants the data action may. Assignments apply at once here; Azure takes
 * up to 5 minutes (docs: "Azure RBAC for Key Vault", role assignment propagation).
 */
export class AccessControl {
  rbac: RbacCheck | undefined;
  private isDenyAll = false;
  private readonly denied = new Set<string>();
  private readonly allowed = new Set<string>();

  deny(principalId: string): void {
    if (principalId === "*") {
      this.isDenyAll = true;
      this.allowed.clear();
      return;
    }
    this.allowed.delete(principalId);
    this.denied.add(principalId);
  }

  allow(principalId: string): void {
    if (principalId === "*") {
      this.isDenyAll = false;
      this.denied.clear();
      this.allowed.clear();
      return;
    }
    this.denied.delete(principalId);
    if (this.isDenyAll) this.allowed.add(principalId);
  }

  isAllowed(principalId: string): boolean {
    if (this.denied.has(principalId)) return false;
    return !this.isDenyAll || this.allowed.has(principalId);
  }

  state(): AccessState {
    return { isDenyAll: this.isDenyAll, denied: [...this.denied], allowed: [...this.allowed] };
  }

  /** Key Vault's answer when RBAC finds no role assignment for the caller. */
  assertAllowed(principalId: string, action: string, resource: string, keyName?: string): void {
    const isGranted = !this.rbac || this.rbac(principalId, action, keyName);
    if (isGranted && this.isAllowed(principalId)) return;
    throw new KeyVaultError(
      403,
      "Forbidden",
      `Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\nCaller: oid=${principalId}\r\nAction: '${action}'\r\nResource: '${resource}'\r\nAssignment: (not found)\r\nDenyAssignmentId: null\r\nDecisionReason: null \r\nVault: ${resource.split("/").pop() ?? ""};location=local\r\n`,
      "ForbiddenByRbac",
    );
  }
}
