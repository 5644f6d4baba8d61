// Doors: POST /api/revocations (signed emergency revocation) and GET /api/revocations/{id} (its state).
import * as df from "durable-functions";
import { DomainError } from "../lib/errors";
import { parseRevokeRequest } from "../lib/revocations";
import { getServices } from "../lib/services";
import { readRevocation } from "../starters/revocations/readRevocation";
import { requestRevocation } from "../starters/revocations/requestRevocation";
import { failure, json } from "./http/respond";
import { signedRevocationHandler } from "./revocationsHttp";

// Anonymous at the Functions level: the HMAC signature over the raw body is the authentication.
df.app.client.http("startRevocation", {
  route: "revocations",
  methods: ["POST"],
  authLevel: "anonymous",
  handler: signedRevocationHandler("POST /api/revocations", (body, _request, client, services, nowMs) =>
    requestRevocation(client, services, parseRevokeRequest(body), nowMs),
  ),
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
