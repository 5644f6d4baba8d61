// Reads what the local host needs from host.json (route prefix, task hub, activity concurrency) and package.json.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { packageRoot } from "../packageRoot";

export interface HostJsonSettings {
  routePrefix: string;
  taskHubName: string;
  maxConcurrentActivityFunctions: number;
}

interface HostJsonShape {
  extensions?: {
    http?: { routePrefix?: unknown };
    durableTask?: { hubName?: unknown; maxConcurrentActivityFunctions?: unknown };
  };
}

export function readHostJson(path: string): HostJsonSettings {
  const json: HostJsonShape = existsSync(path)
    ? (JSON.parse(readFileSync(path, "utf8")) as HostJsonShape)
    : {};
  const routePrefix = json.extensions?.http?.routePrefix;
  const hubName = json.extensions?.durableTask?.hubName;
  const maxActivities = json.extensions?.durableTask?.maxConcurrentActivityFunctions;
  return {
    // An explicit empty prefix is allowed and serves functions at the root.
    routePrefix: typeof routePrefix === "string" ? routePrefix.replace(/^\/+|\/+$/g, "") : "api",
    taskHubName: typeof hubName === "string" && hubName ? hubName : "TestHubName",
    maxConcurrentActivityFunctions:
      typeof maxActivities === "number" && maxActivities > 0 ? maxActivities : 10,
  };
}

/** The compiled entry `func start` would load: package.json "main", resolved against the package root. */
export function defaultAppEntry(): string {
  const root = packageRoot();
  const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { main?: string };
  if (!manifest.main) throw new Error(`${join(root, "package.json")} has no "main" entry`);
  return resolve(root, manifest.main);
}

export function defaultHostJsonPath(appEntry: string): string {
  // host.json sits at the app root; for an entry outside this package fall back to the package root's.
  const root = packageRoot();
  return appEntry.startsWith(root) ? join(root, "host.json") : join(dirname(appEntry), "host.json");
}
