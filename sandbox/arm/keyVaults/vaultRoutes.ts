// ARM GET of Microsoft.KeyVault/vaults/{name} for every emulated vault (any api-version).
import { ArmError, matchSegments } from "../http/armHttp";
import type { Route } from "../http/RouteContext";
import type { VaultResources } from "./VaultResources";
import { vaultToWire } from "./vaultWire";

export function vaultRoutes(
  vaults: VaultResources,
  tenantId: string,
  knownPrincipalIds: () => string[],
): Route {
  return (ctx) => {
    const params = matchSegments(
      "subscriptions/:sub/resourceGroups/:rg/providers/Microsoft.KeyVault/vaults/:name",
      ctx.req.segments,
    );
    if (!params) return Promise.resolve(false);
    if (ctx.req.method !== "GET") {
      throw new ArmError(
        405,
        "MethodNotAllowed",
        "The emulator serves vaults read-only; change their properties through PUT /_emulator/vaults/{name}.",
      );
    }
    ctx.apiVersion();
    ctx.requireSubscription(params.sub);
    const vault = vaults.get(params.sub, params.rg, params.name);
    return Promise.resolve(ctx.send(200, vaultToWire(vault, tenantId, knownPrincipalIds())));
  };
}
