// App Service-style managed identity endpoint (IDENTITY_ENDPOINT + IDENTITY_HEADER) that mints sandbox tokens.
import { randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { mintSandboxToken } from "./tokens";

export interface MsiEndpointOptions {
  /** Principal id (`oid`) of the app's system-assigned identity. */
  principalId: string;
  /** Client id of the system-assigned identity (reported back in `client_id`). */
  clientId?: string;
  /** User-assigned identities the app may ask for by `client_id`, `principal_id`/`object_id` or `mi_res_id`. */
  userAssigned?: Array<{ clientId: string; principalId: string; resourceId?: string }>;
  /** The secret the caller must echo in `X-IDENTITY-HEADER` (generated when absent). */
  identityHeader?: string;
}

/** Serves `GET {endpoint}?api-version=2019-08-01&resource=…` the way App Service's identity endpoint does. */
export class MsiTokenHandler {
  readonly identityHeader: string;
  private readonly clientId: string;

  constructor(private readonly options: MsiEndpointOptions) {
    this.identityHeader = options.identityHeader ?? randomBytes(16).toString("hex");
    this.clientId = options.clientId ?? randomUUID();
  }

  /** Answers one token request; `query` is the request's query string. */
  handle(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): void {
    if (req.method !== "GET")
      return reply(res, 405, { error: "invalid_request", error_description: "Use GET." });
    if (req.headers["x-identity-header"] !== this.identityHeader) {
      return reply(res, 401, {
        error: "unauthorized",
        error_description: "The X-IDENTITY-HEADER header is missing or wrong.",
      });
    }
    const resource = query.get("resource");
    if (!resource)
      return reply(res, 400, {
        error: "invalid_request",
        error_description: "The resource parameter is required.",
      });
    const identity = this.identityFor(query);
    if (!identity) {
      return reply(res, 400, {
        error: "invalid_request",
        error_description: "No managed identity matches the requested id.",
      });
    }
    const lifetimeSeconds = 3600;
    const audience = resource.replace(/\/\.default$/, "").replace(/\/+$/, "");
    res.setHeader("cache-control", "no-store");
    reply(res, 200, {
      access_token: mintSandboxToken({ oid: identity.principalId, aud: audience }, lifetimeSeconds),
      // App Service sends expires_on as a string of Unix seconds.
      expires_on: String(Math.floor(Date.now() / 1000) + lifetimeSeconds),
      resource,
      token_type: "Bearer",
      client_id: identity.clientId,
    });
  }

  private identityFor(query: URLSearchParams): { clientId: string; principalId: string } | undefined {
    const clientId = query.get("client_id");
    const principalId = query.get("principal_id") ?? query.get("object_id");
    const resourceId = query.get("mi_res_id") ?? query.get("msi_res_id");
    if (!clientId && !principalId && !resourceId)
      return { clientId: this.clientId, principalId: this.options.principalId };
    return (this.options.userAssigned ?? []).find(
      (u) =>
        (clientId && u.clientId === clientId) ||
        (principalId && u.principalId === principalId) ||
        (resourceId && u.resourceId?.toLowerCase() === resourceId.toLowerCase()),
    );
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
