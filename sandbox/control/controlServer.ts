// The sandbox control API (docs/sandbox.md) on its own loopback http server: virtual clock, faults, consumer probes.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { VirtualClock } from "../clock";
import { ControlRequestError, parseFaultRequest } from "./parseFaultRequest";
import type { ConsumerProbes, FaultSpec, FaultTarget, FaultTargetName } from "./types";
import { readBoundedBody } from "../http/readBoundedBody";
import { writeJsonResponse } from "../http/writeJsonResponse";

export interface ControlApiOptions {
  clock: VirtualClock;
  faultTargets: Partial<Record<FaultTargetName, FaultTarget>>;
  /** Absent until the ARM emulator is wired: the probe routes answer 503 meanwhile. */
  probes?: ConsumerProbes;
  /** 0 (default) = any free port. */
  port?: number;
  host?: string;
}

export interface ControlApi {
  url: string;
  stop(): Promise<void>;
}

/** Bigger jumps than this are almost certainly a units mistake (ms given as seconds). */
const MAX_ADVANCE_SECONDS = 5 * 365 * 24 * 3600;
const MAX_BODY_BYTES = 64 * 1024;

type Handler = (request: IncomingMessage, params: string[], body: unknown) => Promise<[number, unknown]>;

interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
}

export async function startControlApi(options: ControlApiOptions): Promise<ControlApi> {
  const activeFaults = new Map<FaultTargetName, FaultSpec>();
  const routes: Route[] = [
    {
      method: "GET",
      pattern: /^\/clock$/,
      handler: () => Promise.resolve([200, clockState(options.clock)]),
    },
    {
      method: "POST",
      pattern: /^\/clock\/advance$/,
      handler: async (_request, _params, body) => {
        const seconds = (body as { seconds?: unknown } | undefined)?.seconds;
        if (
          typeof seconds !== "number" ||
          !Number.isFinite(seconds) ||
          seconds < 0 ||
          seconds > MAX_ADVANCE_SECONDS
        ) {
          throw new ControlRequestError(
            400,
            "BadRequest",
            `seconds must be a number from 0 to ${MAX_ADVANCE_SECONDS}`,
          );
        }
        await options.clock.advance(seconds * 1000);
        return [200, { ...clockState(options.clock), advancedSeconds: seconds }];
      },
    },
    {
      method: "GET",
      pattern: /^\/faults$/,
      handler: () =>
        Promise.resolve([200, { value: [...activeFaults].map(([target, spec]) => ({ target, ...spec })) }]),
    },
    {
      method: "POST",
      pattern: /^\/faults$/,
      handler: (_request, _params, body) => {
        const { target, spec } = parseFaultRequest(body);
        const component = options.faultTargets[target];
        if (!component)
          throw new ControlRequestError(404, "TargetNotRunning", `${target} is not running in this sandbox`);
        if (spec.throttle !== undefined && !component.setThrottling) {
          throw new ControlRequestError(
            400,
            "BadRequest",
            `${target} has no throttling to switch; leave throttle out`,
          );
        }
        component.setFaults(spec);
        if (spec.throttle !== undefined) component.setThrottling?.(spec.throttle);
        activeFaults.set(target, spec);
        return Promise.resolve([200, { target, ...spec }]);
      },
    },
    {
      method: "DELETE",
      pattern: /^\/faults$/,
      handler: () => {
        for (const [name, spec] of activeFaults) {
          const component = options.faultTargets[name];
          component?.clearFaults();
          // Throttling switched by a fault request goes back to the sandbox default (on).
          if (spec.throttle !== undefined) component?.setThrottling?.(true);
        }
        activeFaults.clear();
        return Promise.resolve([200, { value: [] }]);
      },
    },
    {
      method: "GET",
      pattern: /^\/storageAccounts\/([A-Za-z0-9]{3,24})\/dataAccess$/,
      handler: async (_request, [accountName]) => {
        const probe = await requireProbes(options.probes).storageDataAccess(accountName);
        return [probe.status, probe.body];
      },
    },
    {
      method: "GET",
      pattern: /^\/environments$/,
      handler: async () => [200, { value: await requireProbes(options.probes).environments() }],
    },
    {
      method: "GET",
      pattern: /^\/$/,
      handler: () =>
        Promise.resolve([
          200,
          {
            routes: routes.map(
              (route) =>
                `${route.method} ${route.pattern.source.replace(/^\^|\$$/g, "").replace(/\\\//g, "/")}`,
            ),
          },
        ]),
    },
  ];

  const server: Server = createServer((request, response) => {
    void serve(routes, request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function clockState(clock: VirtualClock): { now: string; offsetSeconds: number } {
  return { now: clock.nowDate().toISOString(), offsetSeconds: Math.round(clock.offset() / 1000) };
}

function requireProbes(probes: ConsumerProbes | undefined): ConsumerProbes {
  if (!probes)
    throw new ControlRequestError(
      503,
      "ProbesUnavailable",
      "the ARM emulator is not running in this sandbox",
    );
  return probes;
}

async function serve(routes: Route[], request: IncomingMessage, response: ServerResponse): Promise<void> {
  try {
    const path = new URL(request.url ?? "/", "http://control").pathname;
    const matching = routes.filter((route) => route.pattern.test(path));
    if (matching.length === 0) throw new ControlRequestError(404, "NotFound", `no control route ${path}`);
    const route = matching.find((candidate) => candidate.method === request.method);
    if (!route) {
      throw new ControlRequestError(
        405,
        "MethodNotAllowed",
        `${path} accepts ${matching.map((r) => r.method).join(", ")}`,
      );
    }
    const body = await readJsonBody(request);
    const params = route.pattern.exec(path)?.slice(1) ?? [];
    const [status, result] = await route.handler(request, params, body);
    send(response, status, result);
  } catch (error) {
    if (error instanceof ControlRequestError) {
      send(response, error.status, { error: { code: error.code, message: error.message } });
    } else {
      // An emulator failed underneath: say so without a stack trace.
      const message = error instanceof Error ? error.message : String(error);
      send(response, 502, { error: { code: "ComponentFailed", message } });
    }
  }
}

async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const body = await readBoundedBody(
    request,
    MAX_BODY_BYTES,
    () => new ControlRequestError(413, "BodyTooLarge", `bodies are limited to ${MAX_BODY_BYTES} bytes`),
  );
  const text = body.toString("utf8").trim();
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ControlRequestError(400, "BadJson", "the body is not valid JSON");
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  if (response.headersSent) return;
  writeJsonResponse(response, status, body ?? {});
}
