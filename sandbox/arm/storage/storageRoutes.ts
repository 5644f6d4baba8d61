// ARM routes of Microsoft.Storage/storageAccounts: list, get, create (PUT), update (PATCH), delete.
import { ArmError, matchSegments } from "../http/armHttp";
import type { Route, RouteContext } from "../http/RouteContext";
import type { StorageAccounts } from "./StorageAccounts";
import { parseStorageAccountBody, storageAccountToWire } from "./storageWire";
import type { UserAssignedIdentities } from "../identities/UserAssignedIdentities";

/** Oldest api-version served: the 2023-05-01 wire shape; later ones (the SDK sends 2025-08-01) are accepted. */
const OLDEST_STORAGE_API_VERSION = "2023-05-01";
const PROVIDER = "providers/Microsoft.Storage/storageAccounts";

function checkStorageApiVersion(ctx: RouteContext): void {
  const version = ctx.apiVersion();
  const date = /^(\d{4}-\d{2}-\d{2})(-preview)?$/.exec(version)?.[1];
  if (!date || date < OLDEST_STORAGE_API_VERSION) {
    throw new ArmError(
      400,
      "InvalidApiVersionParameter",
      `The api-version '${version}' is invalid for Microsoft.Storage/storageAccounts here: use ${OLDEST_STORAGE_API_VERSION} or later.`,
    );
  }
}

export function storageRoutes(
  accounts: StorageAccounts,
  identities: UserAssignedIdentities,
  tenantId: string,
): Route {
  const toWire = (account: Parameters<typeof storageAccountToWire>[0]) =>
    storageAccountToWire(account, tenantId, (id) => identities.principalFor(id));

  return (ctx) => {
    const { method, segments } = ctx.req;
    const listAll = matchSegments(`subscriptions/:sub/${PROVIDER}`, segments);
    const listGroup = matchSegments(`subscriptions/:sub/resourceGroups/:rg/${PROVIDER}`, segments);
    const one = matchSegments(`subscriptions/:sub/resourceGroups/:rg/${PROVIDER}/:name`, segments);
    const params = listAll ?? listGroup ?? one;
    if (!params) return Promise.resolve(false);
    checkStorageApiVersion(ctx);
    ctx.requireSubscription(params.sub);
    return handle(ctx, method, params, !one, toWire, accounts);
  };
}

async function handle(
  ctx: RouteContext,
  method: string,
  params: Record<string, string>,
  isList: boolean,
  toWire: (account: ReturnType<StorageAccounts["get"]>) => Record<string, unknown>,
  accounts: StorageAccounts,
): Promise<boolean> {
  const { sub, rg, name } = params;
  if (isList) {
    if (method !== "GET") throw methodNotAllowed(method);
    return ctx.send(200, { value: accounts.list(sub, rg).map(toWire) });
  }
  switch (method) {
    case "GET":
      return ctx.send(200, toWire(accounts.get(sub, rg, name)));
    case "PUT": {
      // Creation completes synchronously here, so the SDK's poller gets a final 200 at once.
      const { account } = await accounts.createOrUpdate(sub, rg, name, parseStorageAccountBody(ctx.req.body));
      return ctx.send(200, toWire(account));
    }
    case "PATCH":
      return ctx.send(
        200,
        toWire(await accounts.update(sub, rg, name, parseStorageAccountBody(ctx.req.body))),
      );
    case "DELETE":
      return ctx.send(accounts.delete(sub, rg, name) ? 200 : 204, undefined);
    default:
      throw methodNotAllowed(method);
  }
}

export function methodNotAllowed(method: string): ArmError {
  return new ArmError(405, "MethodNotAllowed", `The method '${method}' is not allowed on this resource.`);
}
