// Sandbox access tokens: unsigned JWT-shaped strings that carry the caller's principal id (oid).
import type { AccessToken, TokenCredential } from "@azure/core-auth";

export interface SandboxTokenClaims {
  /** Object id of the principal (a managed identity, the app, a test). */
  oid: string;
  /** Audience the token was asked for, e.g. https://vault.azure.net. */
  aud?: string;
  tid?: string;
}

const SANDBOX_TENANT = "72f988bf-0000-4000-8000-00000000c0de";

function base64url(value: string): string {
  return Buffer.from(value, "utf8").toString("base64url");
}

/** Mints a token the sandbox emulators accept. It is not signed: the emulators only read who is calling. */
export function mintSandboxToken(claims: SandboxTokenClaims, lifetimeSeconds = 3600): string {
  const nowSeconds = Math.floor(Date.now() / 1000);
  const header = base64url(JSON.stringify({ alg: "none", typ: "JWT" }));
  const payload = base64url(
    JSON.stringify({ tid: SANDBOX_TENANT, ...claims, iat: nowSeconds, exp: nowSeconds + lifetimeSeconds }),
  );
  return `${header}.${payload}.`;
}

/** Reads the claims of a bearer token; any token that is not JWT-shaped belongs to principal "unknown". */
export function readSandboxTokenClaims(token: string): SandboxTokenClaims {
  const [, payload] = token.split(".");
  if (!payload) return { oid: "unknown" };
  try {
    const parsed = JSON.parse(
      Buffer.from(payload, "base64url").toString("utf8"),
    ) as Partial<SandboxTokenClaims>;
    return { oid: typeof parsed.oid === "string" ? parsed.oid : "unknown", aud: parsed.aud, tid: parsed.tid };
  } catch {
    return { oid: "unknown" };
  }
}

/** A TokenCredential for tests and emulators that acts as the given principal. */
export function sandboxCredential(principalId: string): TokenCredential {
  return {
    getToken: (scopes: string | string[]): Promise<AccessToken> => {
      const scope = Array.isArray(scopes) ? scopes[0] : scopes;
      const aud = scope?.replace(/\/\.default$/, "");
      return Promise.resolve({
        token: mintSandboxToken({ oid: principalId, aud }),
        expiresOnTimestamp: Date.now() + 3_600_000,
      });
    },
  };
}
