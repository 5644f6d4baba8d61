// One vault's https front door: Key Vault's bearer challenge, api-version check, access control, faults, throttling.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { readSandboxTokenClaims } from "../identity";
import { KeyVaultError, badParameter } from "./errors";
import { readJsonBody, writeJson } from "./httpIo";
import { operationKind, type KeysRequest } from "./keysApi";
import { dataActionFor } from "./requestActions";
import type { Vault } from "./Vault";

export const SUPPORTED_API_VERSIONS = ["7.4", "7.5", "7.6", "2025-07-01"];
const LATEST_API_VERSION = "2025-07-01";
const CHALLENGE_TENANT = "72f988bf-0000-4000-8000-00000000c0de";
export const WWW_AUTHENTICATE = `Bearer authorization="https://login.microsoftonline.com/${CHALLENGE_TENANT}", resource="https://vault.azure.net"`;

/** Splits the request target; repeated leading slashes are folded so `//keys` cannot be read as a host. */
function splitTarget(url: string): { segments: string[]; query: URLSearchParams } {
  const queryStart = url.indexOf("?");
  const path = (queryStart === -1 ? url : url.slice(0, queryStart)).replace(/^\/+/, "");
  const segments = path.split("/").map((segment) => {
    try {
      return decodeURIComponent(segment);
    } catch {
      throw badParameter(`The path segment '${segment}' is not valid percent-encoding.`);
    }
  });
  if (segments.length > 0 && segments[segments.length - 1] === "") segments.pop();
  return { segments, query: new URLSearchParams(queryStart === -1 ? "" : url.slice(queryStart + 1)) };
}

function bearerPrincipal(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match ? readSandboxTokenClaims(match[1]).oid : undefined;
}

/** The request handler for one vault's server. */
export function createVaultRequestHandler(
  vault: Vault,
): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    const requestId = randomUUID();
    const commonHeaders = { "x-ms-request-id": requestId, "x-ms-keyvault-service-version": "1.9.0.0" };
    serve(vault, request, response, commonHeaders).catch((error: unknown) => {
      if (error instanceof KeyVaultError) {
        if (error.status === 401) response.setHeader("WWW-Authenticate", WWW_AUTHENTICATE);
        writeJson(response, error.status, error.toBody(), { ...commonHeaders, ...error.headers });
        return;
      }
      // An emulator bug, not the caller's fault: answer without internals and leave a trace for the developer.
      console.error(
        `keyvault emulator ${vault.name}: ${error instanceof Error ? error.message : String(error)}`,
      );
      writeJson(
        response,
        500,
        { error: { code: "InternalServerError", message: "The emulator failed to serve this request." } },
        commonHeaders,
      );
    });
  };
}

async function serve(
  vault: Vault,
  request: IncomingMessage,
  response: ServerResponse,
  commonHeaders: Record<string, string>,
): Promise<void> {
  const method = request.method ?? "GET";
  const { segments, query } = splitTarget(request.url ?? "/");
  if (segments[0] === "_emulator") {
    const body = await readJsonBody(request);
    const result = await vault.emulatorApi.handle(method, segments.slice(1), body);
    writeJson(response, result.status, result.body, commonHeaders);
    return;
  }
  const principalId = bearerPrincipal(request);
  if (principalId === undefined) {
    request.resume();
    throw new KeyVaultError(401, "Unauthorized", "AKV10000: Request is missing a Bearer or PoP token.");
  }
  const apiVersion = query.get("api-version");
  if (apiVersion === null) throw badParameter("The 'api-version' query parameter is required.");
  if (!SUPPORTED_API_VERSIONS.includes(apiVersion)) {
    throw badParameter(
      `The specified version (${apiVersion}) is not recognized. Consider using the latest supported version (${LATEST_API_VERSION}).`,
    );
  }
  const body = await readJsonBody(request);
  const keysRequest: KeysRequest = { method, segments, query, body, apiVersion };
  const keyName = segments[0]?.toLowerCase() === "keys" ? segments[1] : undefined;
  vault.access.assertAllowed(principalId, dataActionFor(method, segments), vault.armId, keyName);
  const errorAfterServing = await vault.faults.apply();
  vault.throttle.admit(operationKind(keysRequest, (name) => vault.store.currentVersion(name)?.kty));
  const result = await vault.keysApi.handle(keysRequest);
  // The request took effect, but the caller is told it failed (a gateway that gave up waiting).
  if (errorAfterServing) throw errorAfterServing;
  writeJson(response, result.status, result.body, commonHeaders);
}
