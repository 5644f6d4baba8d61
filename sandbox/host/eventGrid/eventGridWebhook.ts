// The Event Grid extension webhook: /runtime/webhooks/EventGrid?functionName=<name>, guarded by the system key.
// Behaviour follows the extension's HttpRequestProcessor: OPTIONS abuse-protection handshake (CloudEvents),
// aeg-event-type SubscriptionValidation / Notification / Unsubscribe, one invocation per event, 202 when all succeed.
import type { ServerResponse } from "node:http";
import { errorMessage, type HostLogger } from "../hostLog";
import { isAuthorizedForExtension, presentedKey, type HostKeys } from "../http/functionKeys";
import { sendEmpty, sendError, sendJson } from "../http/hostResponses";
import type { HostRequest, RequestHandler } from "../http/hostServer";
import type { CatalogEntry } from "../worker/functionCatalog";
import { jsonTypedData, type FunctionInvoker } from "../worker/invokeFunction";

export const EVENT_GRID_WEBHOOK_PATH = "/runtime/webhooks/EventGrid";

/** Origins the real extension echoes back; anything else gets the public cloud origin. */
const KNOWN_ORIGINS = new Set([
  "eventgrid.azure.net",
  "eventgrid.azure.us",
  "eventgrid.azure.eaglex.ic.gov",
  "eventgrid.azure.microsoft.scloud",
  "eventgrid.azure.cn",
]);

const EVENT_GRID_REQUIRED = ["id", "eventType", "subject", "eventTime"] as const;
const CLOUD_EVENT_REQUIRED = ["id", "source", "type", "specversion"] as const;

class MalformedPayload extends Error {}

function header(req: HostRequest, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8")) as unknown;
  } catch {
    throw new MalformedPayload("The request body is not valid JSON.");
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Checks that each event is an object in the Event Grid or the CloudEvents 1.0 schema. */
function validateEvent(event: unknown, index: number): Record<string, unknown> {
  if (!isRecord(event)) throw new MalformedPayload(`Event ${index} is not a JSON object.`);
  const required = "specversion" in event ? CLOUD_EVENT_REQUIRED : EVENT_GRID_REQUIRED;
  const schema = "specversion" in event ? "CloudEvents 1.0" : "Event Grid";
  for (const property of required) {
    if (typeof event[property] !== "string" || event[property] === "") {
      throw new MalformedPayload(
        `Event ${index} (${schema} schema) is missing the string property '${property}'.`,
      );
    }
  }
  return event;
}

function readValidationCode(payload: unknown): string {
  const first = Array.isArray(payload) ? (payload[0] as unknown) : payload;
  if (!isRecord(first)) throw new MalformedPayload("The validation request holds no event.");
  // CloudEvents validation events carry their data double-encoded, as the extension notes.
  const data = typeof first.data === "string" ? (JSON.parse(first.data) as unknown) : first.data;
  if (!isRecord(data) || typeof data.validationCode !== "string") {
    throw new MalformedPayload("The validation event has no data.validationCode.");
  }
  return data.validationCode;
}

export interface EventGridWebhookDeps {
  functions: readonly CatalogEntry[];
  keys: HostKeys;
  invoker: FunctionInvoker;
  log: HostLogger;
}

export function createEventGridWebhookHandler(deps: EventGridWebhookDeps): RequestHandler {
  const byName = new Map(
    deps.functions.filter((f) => f.kind === "eventGrid").map((f) => [f.name.toLowerCase(), f] as const),
  );

  const deliver = async (entry: CatalogEntry, events: Record<string, unknown>[], res: ServerResponse) => {
    // The extension dispatches every event of a batch at once and fails the delivery if any invocation fails.
    const outcomes = await Promise.all(
      events.map((event) => deps.invoker.invoke(entry, { trigger: jsonTypedData(event) })),
    );
    const failed = outcomes.find((outcome) => !outcome.ok);
    if (failed && !failed.ok) {
      deps.log({
        level: "error",
        category: "system",
        functionName: entry.name,
        invocationId: failed.invocationId,
        message: `Executed '${entry.name}' (Failed): ${errorMessage(failed.error)}`,
      });
      sendError(
        res,
        500,
        "FunctionInvocationFailed",
        `Function '${entry.name}' failed; Event Grid will retry.`,
      );
      return;
    }
    sendEmpty(res, 202);
  };

  return async (req: HostRequest, res: ServerResponse): Promise<boolean> => {
    if (req.url.pathname.replace(/\/+$/, "").toLowerCase() !== EVENT_GRID_WEBHOOK_PATH.toLowerCase())
      return false;
    if (!isAuthorizedForExtension(presentedKey(req.url, req.headers), deps.keys)) {
      sendError(
        res,
        401,
        "Unauthorized",
        "The Event Grid webhook needs the system key in ?code= or x-functions-key.",
      );
      return true;
    }
    const functionName = req.url.searchParams.get("functionName") ?? "";
    const entry = byName.get(functionName.toLowerCase());
    if (!entry) {
      sendError(res, 404, "FunctionNotFound", `cannot find function: '${functionName}'`);
      return true;
    }
    if (req.method === "OPTIONS") {
      const requested = header(req, "webhook-request-origin") ?? "";
      const origin = KNOWN_ORIGINS.has(requested) ? requested : "eventgrid.azure.net";
      sendEmpty(res, 200, { "webhook-allowed-origin": origin });
      return true;
    }
    if (req.method !== "POST") {
      sendError(res, 405, "MethodNotAllowed", "The Event Grid webhook accepts POST and OPTIONS.");
      return true;
    }
    const eventTypeHeader = (header(req, "aeg-event-type") ?? "").toLowerCase();
    try {
      if (eventTypeHeader === "subscriptionvalidation") {
        const validationResponse = readValidationCode(parseJson(req.body));
        deps.log({
          level: "information",
          category: "system",
          functionName: entry.name,
          message: "Event Grid handshake",
        });
        sendJson(res, 200, { validationResponse });
      } else if (eventTypeHeader === "notification") {
        const payload = parseJson(req.body);
        const list: unknown[] = Array.isArray(payload) ? payload : [payload];
        if (list.length === 0) throw new MalformedPayload("The request body holds no events.");
        await deliver(entry, list.map(validateEvent), res);
      } else if (eventTypeHeader === "unsubscribe") {
        sendEmpty(res, 202);
      } else {
        sendError(
          res,
          400,
          "BadRequest",
          "The aeg-event-type header must be SubscriptionValidation, Notification or Unsubscribe.",
        );
      }
    } catch (error) {
      if (!(error instanceof MalformedPayload) && !(error instanceof SyntaxError)) throw error;
      sendError(res, 400, "MalformedEvent", error.message);
    }
    return true;
  };
}
