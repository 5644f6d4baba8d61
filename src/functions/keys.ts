// Door: GET /api/keys, every key of every allow-listed vault (what `cmk-rotator discover --all` walks).
import { app } from "@azure/functions";
import { getServices } from "../lib/services";
import { failure, json } from "./http/respond";

/** Needs keys/list on each allow-listed vault. */
app.http("listKeys", {
  route: "keys",
  methods: ["GET"],
  authLevel: "function",
  handler: async (_request, context) => {
    try {
      const services = getServices();
      const perVault = await Promise.all(
        services.allowList.names().map(async (vaultName) =>
          (await services.keyVault.listKeyNames(vaultName)).map((keyName) => ({
            vaultName,
            keyName,
            keyId: services.allowList.keyIdOf({ vaultName, keyName }),
          })),
        ),
      );
      return json(200, { value: perVault.flat() });
    } catch (error) {
      return failure(error, context);
    }
  },
});
