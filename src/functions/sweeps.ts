// Doors: POST /api/sweeps (run the sweep now, or dry-run it) and GET /api/sweeps/{id} (its progress and summary).
import * as df from "durable-functions";
import { DomainError } from "../lib/errors";
import { getServices } from "../lib/services";
import { readSweep } from "../starters/sweeps/readSweep";
import { requestSweep } from "../starters/sweeps/requestSweep";
import { optionalBoolean, optionalString, readJsonBody } from "./http/readJsonBody";
import { recordRejection } from "./http/recordRejection";
import { failure, json } from "./http/respond";

df.app.client.http("startSweep", {
  route: "sweeps",
  methods: ["POST"],
  authLevel: "function",
  handler: async (request, client, context) => {
    try {
      const body = await readJsonBody(request);
      const reason = optionalString(body, "reason");
      if (reason === undefined)
        throw new DomainError("BadRequest", "reason is required: say why the sweep runs now.");
      const vaultName = optionalString(body, "vaultName", 127);
      const answer = await requestSweep(
        client,
        getServices(),
        {
          reason,
          ...(vaultName === undefined ? {} : { vaultName }),
          ...(optionalBoolean(body, "force") ? { force: true } : {}),
          ...(optionalBoolean(body, "dryRun") ? { dryRun: true } : {}),
        },
        Date.now(),
      );
      if (answer.kind === "dryRun") return json(200, answer.plan);
      const { outcome } = answer;
      if (!outcome.started) {
        return json(409, {
          error: { code: "SweepInProgress", message: `Sweep ${outcome.runningId} is still running.` },
          id: outcome.runningId,
        });
      }
      const statusUrl = new URL(`/api/sweeps/${encodeURIComponent(outcome.sweepId)}`, request.url).toString();
      return json(202, { id: outcome.sweepId, statusUrl }, { location: statusUrl });
    } catch (error) {
      await recordRejection(error, context, "POST /api/sweeps");
      return failure(error, context);
    }
  },
});

df.app.client.http("getSweep", {
  route: "sweeps/{id}",
  methods: ["GET"],
  authLevel: "function",
  handler: async (request, client, context) => {
    try {
      return json(200, await readSweep(client, getServices(), request.params.id ?? ""));
    } catch (error) {
      return failure(error, context);
    }
  },
});
