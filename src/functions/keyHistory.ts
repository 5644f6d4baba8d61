// Door: GET /api/keys/{vaultName}/{keyName}/history?top=N, a key's rotations and revocations, newest first.
import { app } from "@azure/functions";
import { DomainError } from "../lib/errors";
import { getServices } from "../lib/services";
import { failure, json } from "./http/respond";

const DEFAULT_TOP = 20;
const MAX_TOP = 100;

function topOf(raw: string | null): number {
  if (raw === null || raw === "") return DEFAULT_TOP;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_TOP) {
    throw new DomainError("BadRequest", `top must be a whole number from 1 to ${MAX_TOP}.`);
  }
  return Number(raw);
}

app.http("keyHistory", {
  route: "keys/{vaultName}/{keyName}/history",
  methods: ["GET"],
  authLevel: "function",
  handler: async (request, context) => {
    try {
      const services = getServices();
      const key = services.allowList.identity(request.params.vaultName ?? "", request.params.keyName ?? "");
      const value = await services.audit.listHistory(key, { top: topOf(request.query.get("top")) });
      return json(200, { value });
    } catch (error) {
      return failure(error, context);
    }
  },
});
