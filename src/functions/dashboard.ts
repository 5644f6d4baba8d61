// Door: GET /api/dashboard, the operator's status page (same auth as the API; ?code= works, the page passes it on).
import { app } from "@azure/functions";
import { dashboardPage } from "../dashboard/dashboardPage";
import { failure } from "./http/respond";

app.http("dashboard", {
  route: "dashboard",
  methods: ["GET"],
  authLevel: "function",
  handler: (_request, context) => {
    try {
      const page = dashboardPage();
      return Promise.resolve({ status: 200, body: page.html, headers: page.headers });
    } catch (error) {
      return Promise.resolve(failure(error, context));
    }
  },
});
