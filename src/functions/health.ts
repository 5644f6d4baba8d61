// Door: GET /api/health (anonymous), 200 when every dependency answers, 503 naming the one that does not.
import { app } from "@azure/functions";
import { getServices } from "../lib/services";
import { checkDependencies } from "./health/dependencyChecks";
import { failure, json } from "./http/respond";

app.http("health", {
  route: "health",
  methods: ["GET"],
  authLevel: "anonymous",
  handler: async (_request, context) => {
    try {
      const dependencies = await checkDependencies(getServices());
      const isHealthy = dependencies.every((dependency) => dependency.status === "ok");
      return json(isHealthy ? 200 : 503, { status: isHealthy ? "ok" : "degraded", dependencies });
    } catch (error) {
      return failure(error, context);
    }
  },
});
