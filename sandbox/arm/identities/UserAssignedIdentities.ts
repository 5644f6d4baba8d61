// The user-assigned managed identities consumers run as: one principal per identity ARM id, stable for the run.
import { randomUUID } from "node:crypto";

export interface ManagedIdentityPrincipal {
  principalId: string;
  clientId: string;
}

/** Gives every user-assigned identity ARM id its principal (created on first sight, or seeded). */
export class UserAssignedIdentities {
  private readonly byId = new Map<string, ManagedIdentityPrincipal>();

  /** The principal of an identity; ARM ids are case-insensitive. */
  principalFor(identityArmId: string): ManagedIdentityPrincipal {
    const key = identityArmId.toLowerCase();
    let principal = this.byId.get(key);
    if (!principal) {
      principal = { principalId: randomUUID(), clientId: randomUUID() };
      this.byId.set(key, principal);
    }
    return principal;
  }

  /** Fixes the principal id of an identity (seeding), so tests can deny exactly that principal in Key Vault. */
  define(identityArmId: string, principalId: string): ManagedIdentityPrincipal {
    const principal = {
      principalId,
      clientId: this.byId.get(identityArmId.toLowerCase())?.clientId ?? randomUUID(),
    };
    this.byId.set(identityArmId.toLowerCase(), principal);
    return principal;
  }

  /** Every principal id known so far (a non-RBAC vault lists an access policy for each). */
  principalIds(): string[] {
    return [...this.byId.values()].map((p) => p.principalId);
  }
}
