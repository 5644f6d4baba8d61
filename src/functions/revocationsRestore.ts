// Door: POST /api/revocations/{id}/restore (signed): undo a revocation.
import * as df from "durable-functions";
import { parseRestoreRequest } from "../lib/revocations";
import { requestRestore } from "../starters/revocations/requestRestore";
import { signedRevocationHandler } from "./revocationsHttp";

// Anonymous at the Functions level: the HMAC signature over the raw body is the authentication.
df.app.client.http("restoreRevocation", {
  route: "revocations/{id}/restore",
  methods: ["POST"],
  authLevel: "anonymous",
  handler: signedRevocationHandler(
    "POST /api/revocations/{id}/restore",
    (body, request, client, services, nowMs) =>
      requestRestore(client, services, request.params.id ?? "", parseRestoreRequest(body), nowMs),
  ),
});
