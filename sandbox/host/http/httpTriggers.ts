// Serves HTTP-triggered functions under /<routePrefix>/<route>: route matching, methods, auth levels, invocation.
import type { ServerResponse } from "node:http";
import { errorMessage, type HostLogger } from "../hostLog";
import type { RpcHttpData, RpcTypedData } from "../worker/coreTypes";
import type { CatalogEntry } from "../worker/functionCatalog";
import type { FunctionInvoker } from "../worker/invokeFunction";
import { isAuthorizedForLevel, presentedKey, type HostKeys } from "./functionKeys";
import { sendEmpty, sendError } from "./hostResponses";
import type { HostRequest, RequestHandler } from "./hostServer";
import { toRpcHttpRequest, writeRpcHttpResponse } from "./httpRpc";
import { comparePrecedence, RouteTemplate } from "./routeTemplate";

export interface HttpTriggerDeps {
  routePrefix: string;
  functions: readonly CatalogEntry[];
  keys: HostKeys;
  invoker: FunctionInvoker;
  log: HostLogger;
}

interface CompiledRoute {
  entry: CatalogEntry;
  template: RouteTemplate;
}

function splitPath(pathname: string, prefix: string): string[] | undefined {
  const prefixSegments = prefix.split("/").filter(Boolean);
  const segments = pathname.split("/").slice(1);
  if (segments.length && segments[segments.length - 1] === "") segments.pop();
  for (let i = 0; i < prefixSegments.length; i++) {
    if (segments[i]?.toLowerCase() !== prefixSegments[i].toLowerCase()) return undefined;
  }
  return segments.slice(prefixSegments.length);
}

function decodeSegments(raw: string[]): string[] | undefined {
  try {
    return raw.map((segment) => decodeURIComponent(segment));
  } catch {
    return undefined;
  }
}

/** Finds the HTTP output of an invocation: the $return binding, or any other binding of type http. */
function httpOutput(
  entry: CatalogEntry,
  returnValue: RpcTypedData | null | undefined,
  outputs: Array<{ name?: string | null; data?: RpcTypedData | null }>,
): RpcHttpData | undefined {
  if (entry.metadata.bindings.$return?.type?.toLowerCase() === "http") return returnValue?.http ?? undefined;
  for (const output of outputs) {
    const binding = output.name ? entry.metadata.bindings[output.name] : undefined;
    if (binding?.type?.toLowerCase() === "http") return output.data?.http ?? undefined;
  }
  return undefined;
}

export function createHttpTriggerHandler(deps: HttpTriggerDeps): RequestHandler {
  // Compiling every route up front makes an invalid template fail start-up, as it does in Azure.
  const routes: CompiledRoute[] = deps.functions
    .filter((entry) => entry.kind === "http")
    .map((entry) => ({ entry, template: new RouteTemplate(entry.route ?? entry.name) }));

  return async (req: HostRequest, res: ServerResponse): Promise<boolean> => {
    const rawSegments = splitPath(req.url.pathname, deps.routePrefix);
    if (!rawSegments) return false;
    const segments = decodeSegments(rawSegments);
    if (!segments) {
      sendError(res, 400, "BadRequest", "The request path is not valid percent-encoding.");
      return true;
    }
    const candidates = routes
      .map((route) => ({ route, values: route.template.match(segments) }))
      .filter((c): c is { route: CompiledRoute; values: Record<string, string> } => c.values !== undefined)
      .sort((a, b) => comparePrecedence(a.route.template, b.route.template));
    // Azure answers 404, not 405, when the path matches but the method is not allowed.
    const chosen = candidates.find(
      (c) => !c.route.entry.methods || c.route.entry.methods.includes(req.method),
    );
    if (!chosen) {
      sendError(res, 404, "NotFound", `No HTTP function matches ${req.method} ${req.url.pathname}.`);
      return true;
    }
    const entry = chosen.route.entry;
    if (
      !isAuthorizedForLevel(entry.authLevel ?? "anonymous", presentedKey(req.url, req.headers), deps.keys)
    ) {
      const what = entry.authLevel === "admin" ? "the master key" : "a function key";
      sendError(
        res,
        401,
        "Unauthorized",
        `This function needs ${what} in the x-functions-key header or ?code=.`,
      );
      return true;
    }
    const outcome = await deps.invoker.invoke(entry, {
      trigger: { http: toRpcHttpRequest(req, chosen.values) },
    });
    if (!outcome.ok) {
      deps.log({
        level: "error",
        category: "system",
        functionName: entry.name,
        invocationId: outcome.invocationId,
        message: `Executed '${entry.name}' (Failed): ${errorMessage(outcome.error)}`,
      });
      // Like Azure: a failed invocation is a bare 500, never the exception text.
      sendEmpty(res, 500);
      return true;
    }
    writeRpcHttpResponse(res, httpOutput(entry, outcome.returnValue, outcome.outputData));
    return true;
  };
}
