// Door: GET /api/overview, the JSON the status page is drawn from.
import * as df from "durable-functions";
import { getServices } from "../lib/services";
import { readOverview } from "../starters/overview/readOverview";
import { failure, json } from "./http/respond";

/**
 * Needs keys/list on every allow-listed vault, read of the app's tables, read where discovery searches
 * (Resource Graph, ARM) and the durable client. Never cached: the page polls it for live progress.
 */
df.app.client.http("overview", {
  route: "overview",
  methods: ["GET"],
  authLevel: "function",
  handler: async (_request, client, context) => {
    try {
      return json(200, await readOverview(client, getServices(), Date.now()), {
        "cache-control": "no-store",
      });
    } catch (error) {
      return failure(error, context);
    }
  },
});
