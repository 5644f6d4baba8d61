// Doors: POST /api/rotations (start or dry-run a rotation) and GET /api/rotations/{id} (its state).
import * as df from "durable-functions";
import { DomainError } from "../lib/errors";
import { readRotation } from "../starters/rotations/readRotation";
import { requestRotation } from "../starters/rotations/requestRotation";
import { getServices } from "../lib/services";
import { optionalBoolean, optionalString, readJsonBody } from "./http/readJsonBody";
import { recordRejection } from "./http/recordRejection";
import { failure, json } from "./http/respond";

df.app.client.http("startRotation", {
  route: "rotations",
  methods: ["POST"],
  authLevel: "function",
  handler: async (request, client, context) => {
    try {
      const body = await readJsonBody(request);
      const ask = {
        keyId: body.keyId,
        reason: optionalString(body, "reason"),
        dryRun: optionalBoolean(body, "dryRun"),
      };
      const answer = await requestRotation(client, getServices(), ask);
      if (answer.kind === "dryRun") return json(200, answer.plan);
      const { outcome } = answer;
      if (!outcome.started) {
        const message = {
          RotationInProgress: `Rotation ${outcome.runningId} of this key is still running.`,
          RevocationInProgress: `Revocation ${outcome.runningId} of this key is running.`,
          KeyChangeInProgress: `Key change ${outcome.runningId} of this key is running; rotations wait until it ends.`,
        }[outcome.reason];
        return json(409, { error: { code: outcome.reason, message }, id: outcome.runningId });
      }
      const statusUrl = new URL(
        `/api/rotations/${encodeURIComponent(outcome.rotationId)}`,
        request.url,
      ).toString();
      // Never the Durable management URLs: they carry the host's system key, which would let any
      // holder of a function key terminate or rewind every instance, revocations included.
      return json(
        202,
        { id: outcome.rotationId, instanceId: outcome.instanceId, statusUrl },
        { location: statusUrl },
      );
    } catch (error) {
      await recordRejection(error, context, "POST /api/rotations");
      return failure(error, context);
    }
  },
});

df.app.client.http("getRotation", {
  route: "rotations/{id}",
  methods: ["GET"],
  authLevel: "function",
  handler: async (request, client, context) => {
    try {
      const id = request.params.id;
      if (!id) throw new DomainError("BadRequest", "Give the rotation id: GET /api/rotations/{id}.");
      return json(200, await readRotation(client, getServices(), id));
    } catch (error) {
      return failure(error, context);
    }
  },
});
