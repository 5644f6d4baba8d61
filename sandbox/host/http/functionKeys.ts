// Function, master and system keys, and the authorization rule of each HTTP auth level as Azure Functions applies it.
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { AuthLevel } from "../worker/functionCatalog";

export interface HostKeys {
  /** Accepted for authLevel "function" (the app's default host key). */
  functionKey: string;
  /** Accepted everywhere; the only key for authLevel "admin". */
  masterKey: string;
  /** Guards the extension webhooks (Event Grid, Durable Task), as the eventgrid_extension/durabletask_extension keys do. */
  systemKey: string;
}

/** A key in Azure's shape: 40 random bytes, URL-safe base64 (so it can sit in ?code= unescaped). */
export function generateKey(): string {
  return randomBytes(40).toString("base64url");
}

function sameKey(presented: string, expected: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The key a request carries: the x-functions-key header wins over the ?code= query parameter, as in Azure. */
export function presentedKey(url: URL, headers: IncomingHttpHeaders): string | undefined {
  const header = headers["x-functions-key"];
  const fromHeader = Array.isArray(header) ? header[0] : header;
  return fromHeader || url.searchParams.get("code") || undefined;
}

export function isAuthorizedForLevel(
  level: AuthLevel,
  presented: string | undefined,
  keys: HostKeys,
): boolean {
  if (level === "anonymous") return true;
  if (!presented) return false;
  if (sameKey(presented, keys.masterKey)) return true;
  return level === "function" && sameKey(presented, keys.functionKey);
}

/** Extension webhooks accept their system key or the master key. */
export function isAuthorizedForExtension(presented: string | undefined, keys: HostKeys): boolean {
  if (!presented) return false;
  return sameKey(presented, keys.systemKey) || sameKey(presented, keys.masterKey);
}
