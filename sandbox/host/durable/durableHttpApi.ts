// The Durable extension's HTTP API (HttpApiHandler): start, status, list, raise event, terminate, suspend/resume,
// purge. Served on the public webhook (system key required) and on the loopback RPC endpoint the client uses.
import type { ServerResponse } from "node:http";
import { isAuthorizedForExtension, presentedKey, type HostKeys } from "../http/functionKeys";
import { sendEmpty, sendError, sendJson } from "../http/hostResponses";
import type { HostRequest, RequestHandler } from "../http/hostServer";
import { managementUrls, type DurableEndpoints } from "./clientBinding";
import type { RuntimeStatus } from "./instanceStore";
import { DurableRequestError, type InstanceFilter, type OrchestrationEngine } from "./orchestrationEngine";
import { toStatusPayload } from "./statusPayload";

const RUNTIME_STATUSES: RuntimeStatus[] = [
  "Pending",
  "Running",
  "Completed",
  "ContinuedAsNew",
  "Failed",
  "Terminated",
  "Suspended",
];

export interface DurableHttpApiDeps {
  engine: OrchestrationEngine;
  endpoints: DurableEndpoints;
  keys: HostKeys;
  /** Path the API is mounted under: the public webhook path or the RPC path. */
  basePath: string;
  requiresKey: boolean;
  /** While it returns a fault, every status read and query fails with it, as when the task hub's storage is down. */
  statusReadFault?: () => { status: number; message: string } | undefined;
}

function readBool(url: URL, name: string): boolean | undefined {
  const value = url.searchParams.get(name);
  if (value === null) return undefined;
  return value.toLowerCase() === "true";
}

function readTime(url: URL, name: string): number | undefined {
  const value = url.searchParams.get(name);
  if (!value) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new DurableRequestError(400, "BadRequest", `'${name}' is not a date-time.`);
  return ms;
}

function readFilter(url: URL): InstanceFilter {
  const statuses = url.searchParams
    .getAll("runtimeStatus")
    .flatMap((v) => v.split(","))
    .map((v) => RUNTIME_STATUSES.find((s) => s.toLowerCase() === v.trim().toLowerCase()))
    .filter((v): v is RuntimeStatus => v !== undefined);
  return {
    runtimeStatus: statuses,
    createdTimeFrom: readTime(url, "createdTimeFrom"),
    createdTimeTo: readTime(url, "createdTimeTo"),
    instanceIdPrefix: url.searchParams.get("instanceIdPrefix") ?? undefined,
  };
}

function readJsonBody(req: HostRequest): string | null {
  const text = req.body.toString("utf8");
  if (text.trim() === "") return null;
  try {
    JSON.parse(text);
  } catch {
    throw new DurableRequestError(400, "InvalidJson", "Invalid JSON content");
  }
  return text;
}

export function createDurableHttpApiHandler(deps: DurableHttpApiDeps): RequestHandler {
  const { engine } = deps;
  const base = deps.basePath.replace(/\/+$/, "").toLowerCase();

  /** True when the read was answered with the injected fault. */
  const failedRead = (res: ServerResponse): boolean => {
    const fault = deps.statusReadFault?.();
    if (fault) sendError(res, fault.status, "TaskHubUnavailable", fault.message);
    return fault !== undefined;
  };

  const sendStatus = (req: HostRequest, res: ServerResponse, instanceId: string) => {
    if (failedRead(res)) return;
    const status = engine.getStatus(instanceId, {
      showHistory: readBool(req.url, "showHistory") ?? false,
      showHistoryOutput: readBool(req.url, "showHistoryOutput") ?? false,
      showInput: readBool(req.url, "showInput") ?? true,
    });
    if (!status) {
      sendEmpty(res, 404);
      return;
    }
    if (["Running", "Pending", "ContinuedAsNew", "Suspended"].includes(status.runtimeStatus)) {
      sendJson(res, 202, status, { location: req.url.href, "retry-after": "5" });
    } else if (status.runtimeStatus === "Failed" && readBool(req.url, "returnInternalServerErrorOnFailure")) {
      sendJson(res, 500, status);
    } else {
      sendJson(res, 200, status);
    }
  };

  const start = async (
    req: HostRequest,
    res: ServerResponse,
    functionName: string,
    instanceId: string | undefined,
  ) => {
    const record = engine.startNew(functionName, instanceId, readJsonBody(req));
    const timeoutSeconds = Number(req.url.searchParams.get("timeout"));
    const pollingSeconds = Number(req.url.searchParams.get("pollingInterval"));
    if (timeoutSeconds > 0 && pollingSeconds > 0) {
      const finished = await engine
        .waitForInstance(record.instanceId, timeoutSeconds * 1000)
        .catch(() => undefined);
      if (finished?.runtimeStatus === "Completed") {
        sendJson(res, 200, finished.output);
        return;
      }
      if (finished) {
        sendJson(res, 200, finished);
        return;
      }
    }
    // Links point at the public webhook of the origin the caller used (RPC callers get the public base URL).
    const origin = deps.requiresKey ? req.url.origin : deps.endpoints.baseUrl;
    const payload = managementUrls(deps.endpoints, record.instanceId, origin);
    sendJson(res, 202, payload, { location: payload.statusQueryGetUri, "retry-after": "10" });
  };

  return async (req: HostRequest, res: ServerResponse): Promise<boolean> => {
    const pathname = req.url.pathname;
    if (pathname.toLowerCase() !== base && !pathname.toLowerCase().startsWith(`${base}/`)) return false;
    if (deps.requiresKey && !isAuthorizedForExtension(presentedKey(req.url, req.headers), deps.keys)) {
      sendError(
        res,
        401,
        "Unauthorized",
        "The Durable Task webhook needs the system key in ?code= or x-functions-key.",
      );
      return true;
    }
    let segments: string[];
    try {
      segments = pathname.slice(base.length).split("/").filter(Boolean).map(decodeURIComponent);
    } catch {
      sendError(res, 400, "BadRequest", "The request path is not valid percent-encoding.");
      return true;
    }
    const [controller, first, second, third] = segments;
    try {
      if (controller?.toLowerCase() === "orchestrators" && first && segments.length <= 3) {
        if (req.method !== "POST") return notFound(res);
        await start(req, res, first, second);
        return true;
      }
      if (controller?.toLowerCase() !== "instances") return notFound(res);
      if (!first) {
        if (req.method === "GET") {
          if (failedRead(res)) return true;
          const top = Number(req.url.searchParams.get("top")) || undefined;
          const showInput = readBool(req.url, "showInput") ?? false;
          const records = engine.query(readFilter(req.url)).slice(0, top);
          sendJson(
            res,
            200,
            records.map((r) => toStatusPayload(r, { showInput })),
          );
          return true;
        }
        if (req.method === "DELETE") {
          const filter = readFilter(req.url);
          if (filter.createdTimeFrom === undefined) {
            sendError(res, 400, "BadRequest", "Please provide value for 'createdTimeFrom' parameter.");
            return true;
          }
          const deleted = engine.purgeWhere(filter);
          if (deleted === 0) sendEmpty(res, 404);
          else sendJson(res, 200, { instancesDeleted: deleted });
          return true;
        }
        return notFound(res);
      }
      if (second === undefined) {
        if (req.method === "GET") sendStatus(req, res, first);
        else if (req.method === "DELETE") sendJson(res, 200, { instancesDeleted: engine.purge(first) });
        else return notFound(res);
        return true;
      }
      if (req.method !== "POST") return notFound(res);
      const reason = req.url.searchParams.get("reason") ?? undefined;
      switch (second.toLowerCase()) {
        case "raiseevent": {
          if (!third) return notFound(res);
          const contentType = String(req.headers["content-type"] ?? "")
            .split(";")[0]
            .trim()
            .toLowerCase();
          const current = engine.getStatus(first);
          if (!current) return notFound(res);
          if (["Completed", "Failed", "Terminated"].includes(current.runtimeStatus)) {
            sendEmpty(res, 410);
            return true;
          }
          if (contentType !== "application/json") {
            throw new DurableRequestError(
              400,
              "UnsupportedContentType",
              "Only application/json request content is supported",
            );
          }
          engine.raiseEvent(first, third, readJsonBody(req));
          break;
        }
        case "terminate":
          engine.terminate(first, reason);
          break;
        case "suspend":
          engine.suspend(first, reason);
          break;
        case "resume":
          engine.resume(first, reason);
          break;
        case "rewind":
        case "restart":
          sendError(res, 501, "NotImplemented", `'${second}' is not supported by the local host.`);
          return true;
        default:
          return notFound(res);
      }
      sendEmpty(res, 202);
      return true;
    } catch (error) {
      if (!(error instanceof DurableRequestError)) throw error;
      if (error.status === 404 || error.status === 410) sendEmpty(res, error.status);
      else sendError(res, error.status, error.code, error.message);
      return true;
    }
  };
}

function notFound(res: ServerResponse): true {
  sendEmpty(res, 404);
  return true;
}
