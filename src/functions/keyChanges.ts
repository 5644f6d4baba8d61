// Doors: POST /api/keyChanges (preflight, dry-run or start a change to another key) and GET /api/keyChanges/{id}.
import * as df from "durable-functions";
import { DomainError } from "../lib/errors";
import { parseKeyChangeRequest } from "../lib/keyChanges/parseKeyChangeRequest";
import { getServices } from "../lib/services";
import { PreflightFailed, requestKeyChange } from "../starters/keyChanges/requestKeyChange";
import { readKeyChange } from "../starters/keyChanges/readKeyChange";
import { optionalBoolean, readJsonBody } from "./http/readJsonBody";
import { recordRejection } from "./http/recordRejection";
import { failure, json } from "./http/respond";

df.app.client.http("startKeyChange", {
  route: "keyChanges",
  methods: ["POST"],
  authLevel: "function",
  handler: async (request, client, context) => {
    try {
      const body = await readJsonBody(request);
      const services = getServices();
      const ask = parseKeyChangeRequest(services.allowList, body);
      const dryRun = optionalBoolean(body, "dryRun") ?? false;
      const answer = await requestKeyChange(client, services, ask, { dryRun, nowMs: Date.now() });
      if (answer.kind === "dryRun") return json(200, answer.plan);
      const statusUrl = new URL(`/api/keyChanges/${encodeURIComponent(answer.id)}`, request.url).toString();
      return json(202, { id: answer.id, instanceId: answer.instanceId, statusUrl }, { location: statusUrl });
    } catch (error) {
      await recordRejection(error, context, "POST /api/keyChanges");
      if (error instanceof PreflightFailed)
        return json(409, {
          error: { code: error.code, message: error.message },
          findings: error.plan.findings,
          plan: error.plan,
        });
      if (error instanceof DomainError && error.status === 409 && typeof error.details?.id === "string")
        return json(409, { error: { code: error.code, message: error.message }, id: error.details.id });
      return failure(error, context);
    }
  },
});

df.app.client.http("getKeyChange", {
  route: "keyChanges/{id}",
  methods: ["GET"],
  authLevel: "function",
  handler: async (request, client, context) => {
    try {
      const id = request.params.id;
      if (!id) throw new DomainError("BadRequest", "Give the key change id: GET /api/keyChanges/{id}.");
      return json(200, await readKeyChange(client, getServices(), id));
    } catch (error) {
      return failure(error, context);
    }
  },
});
