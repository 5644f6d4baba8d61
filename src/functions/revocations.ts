// Doors: POST /api/revocations (signed emergency revocation) and GET /api/revocations/{id} (its state).
import * as df from "durable-functions";
import { DomainError } from "../lib/errors";
import { checkSignedRequest, parseJsonObject, parseRevokeRequest } from "../lib/revocations";
import { getServices } from "../lib/services";
import { readRevocation } from "../orchestrations/revokeKey/readRevocation";
import { requestRevocation } from "../orchestrations/revokeKey/requestRevocation";
import { failure, json } from "./http/respond";
import { readRawBody, recordRefusal, refusalResponse } from "./revocationsHttp";

// Anonymous at the Functions level: the HMAC signature over the raw body is the authentication.
df.app.client.http("startRevocation", {
  route: "revocations",
  methods: ["POST"],
  authLevel: "anonymous",
  handler: async (request, client, context) => {
    const services = getServices();
    // The signer's clock is the wall clock, never the sandbox's virtual one.
    const nowMs = Date.now();
    try {
      const rawBody = await readRawBody(request);
      checkSignedRequest(services.settings.revocationSecret, request.headers, rawBody, nowMs);
      const ask = parseRevokeRequest(parseJsonObject(rawBody));
      const started = await requestRevocation(client, services, ask, nowMs);
      const statusUrl = new URL(`/api/revocations/${encodeURIComponent(started.id)}`, request.url).toString();
      return json(202, { id: started.id, statusUrl }, { location: statusUrl });
    } catch (error) {
      await recordRefusal(services, error, context, "POST /api/revocations", nowMs);
      return refusalResponse(error, context);
    }
  },
});

df.app.client.http("getRevocation", {
  route: "revocations/{id}",
  methods: ["GET"],
  authLevel: "function",
  handler: async (request, _client, context) => {
    try {
      const id = request.params.id;
      if (!id) throw new DomainError("BadRequest", "Give the revocation id: GET /api/revocations/{id}.");
      return json(200, await readRevocation(getServices(), id));
    } catch (error) {
      return failure(error, context);
    }
  },
});
