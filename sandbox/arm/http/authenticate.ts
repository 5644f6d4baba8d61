// Bearer-token check for ARM and the Power Platform admin API: who is calling (the token's `oid`), or a 401.
import type { IncomingMessage } from "node:http";
import { readSandboxTokenClaims } from "../../identity";
import { ArmError } from "./armHttp";

/** Returns the caller's principal id; a request without a bearer token gets ARM's 401 AuthenticationFailed. */
export function authenticate(req: IncomingMessage): string {
  const header = req.headers.authorization ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) {
    throw new ArmError(
      401,
      "AuthenticationFailed",
      "Authentication failed. The 'Authorization' header is missing.",
      {
        "www-authenticate":
          'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token", error_description="The authentication failed because of missing \'Authorization\' header."',
      },
    );
  }
  const { oid } = readSandboxTokenClaims(match[1]);
  if (oid === "unknown") {
    throw new ArmError(
      401,
      "InvalidAuthenticationToken",
      "The access token is invalid: it names no principal (oid).",
    );
  }
  return oid;
}
