// Door: POST /api/revocations/{id}/restore (signed): undo a revocation.
import * as df from "durable-functions";
import { checkSignedRequest, parseJsonObject, parseRestoreRequest } from "../lib/revocations";
import { getServices } from "../lib/services";
import { requestRestore } from "../orchestrations/restoreKey/requestRestore";
import { json } from "./http/respond";
import { readRawBody, recordRefusal, refusalResponse } from "./revocationsHttp";

// Anonymous at the Functions level: the HMAC signature over the raw body is the authentication.
df.app.client.http("restoreRevocation", {
  route: "revocations/{id}/restore",
  methods: ["POST"],
  authLevel: "anonymous",
  handler: async (request, client, context) => {
    const services = getServices();
    // The signer's clock is the wall clock, never the sandbox's virtual one.
    const nowMs = Date.now();
    try {
      const rawBody = await readRawBody(request);
      checkSignedRequest(services.settings.revocationSecret, request.headers, rawBody, nowMs);
      const ask = parseRestoreRequest(parseJsonObject(rawBody));
      const started = await requestRestore(client, services, request.params.id ?? "", ask, nowMs);
      const statusUrl = new URL(`/api/revocations/${encodeURIComponent(started.id)}`, request.url).toString();
      return json(202, { id: started.id, statusUrl }, { location: statusUrl });
    } catch (error) {
      await recordRefusal(services, error, context, "POST /api/revocations/{id}/restore", nowMs);
      return refusalResponse(error, context);
    }
  },
});
