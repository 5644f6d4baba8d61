// Door: GET /api/keys/{vaultName}/{keyName}/consumers, registered and discovered consumers of a key side by side.
import { app } from "@azure/functions";
import { getServices } from "../lib/services";
import { failure, json } from "./http/respond";

/**
 * Needs keys/list on the vault (the key must exist), read of the bindings table, and read on
 * storage accounts and enterprise policies wherever discovery searches (Resource Graph and ARM).
 */
app.http("keyConsumers", {
  route: "keys/{vaultName}/{keyName}/consumers",
  methods: ["GET"],
  authLevel: "function",
  handler: async (request, context) => {
    try {
      const services = getServices();
      const key = services.allowList.identity(request.params.vaultName ?? "", request.params.keyName ?? "");
      // Listing, not GET: a revoked key (every version disabled) still has consumers to show.
      await services.keyVault.listVersionsUnordered(key);
      const binding = await services.bindings.get(key);
      const value = await services.discovery.consumersOf(key, binding?.targets ?? []);
      return json(200, { value });
    } catch (error) {
      return failure(error, context);
    }
  },
});
