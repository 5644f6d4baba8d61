// Doors: PUT/GET/DELETE /api/bindings/{vaultName}/{keyName} and GET /api/bindings, which resources use which key.
import { app } from "@azure/functions";
import { DomainError } from "../lib/errors";
import { getServices } from "../lib/services";
import { bindingView } from "./bindings/bindingView";
import { registerBinding } from "./bindings/registerBinding";
import { readJsonBody } from "./http/readJsonBody";
import { recordRejection } from "./http/recordRejection";
import { failure, json } from "./http/respond";

app.http("bindings", {
  route: "bindings/{vaultName}/{keyName}",
  methods: ["PUT", "GET", "DELETE"],
  authLevel: "function",
  handler: async (request, context) => {
    const services = getServices();
    try {
      const key = services.allowList.identity(request.params.vaultName ?? "", request.params.keyName ?? "");
      const notFound = () =>
        new DomainError("BindingNotFound", `No bindings are registered for ${key.vaultName}/${key.keyName}.`);
      if (request.method === "PUT") {
        try {
          const stored = await registerBinding(services, key, await readJsonBody(request));
          return json(200, bindingView(stored, services.allowList));
        } catch (error) {
          await recordRejection(error, context, `PUT /api/bindings/${key.vaultName}/${key.keyName}`, { key });
          throw error;
        }
      }
      if (request.method === "DELETE") {
        if (!(await services.bindings.delete(key))) throw notFound();
        return { status: 204 };
      }
      const binding = await services.bindings.get(key);
      if (!binding) throw notFound();
      return json(200, bindingView(binding, services.allowList));
    } catch (error) {
      return failure(error, context);
    }
  },
});

app.http("listBindings", {
  route: "bindings",
  methods: ["GET"],
  authLevel: "function",
  handler: async (_request, context) => {
    try {
      const services = getServices();
      const bindings = await services.bindings.list();
      return json(200, { value: bindings.map((binding) => bindingView(binding, services.allowList)) });
    } catch (error) {
      return failure(error, context);
    }
  },
});
