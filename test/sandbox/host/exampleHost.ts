// Test helper: starts the local host on the compiled example app (dist/test/sandbox/host/exampleApp) with a private clock.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { VirtualClock } from "../../../sandbox/clock";
import {
  startLocalHost,
  type HostLogEntry,
  type LocalHost,
  type LocalHostOptions,
} from "../../../sandbox/host";
import { packageRoot } from "../../../sandbox/packageRoot";

export const EXAMPLE_APP_ENTRY = join(
  packageRoot(),
  "dist",
  "test",
  "sandbox",
  "host",
  "exampleApp",
  "index.js",
);

export interface ExampleHost {
  host: LocalHost;
  clock: VirtualClock;
  logs: HostLogEntry[];
  /** POST/GET helper that adds the function key. */
  call(path: string, init?: RequestInit & { key?: string | null }): Promise<Response>;
}

export async function startExampleHost(options: Partial<LocalHostOptions> = {}): Promise<ExampleHost> {
  if (!existsSync(EXAMPLE_APP_ENTRY)) {
    throw new Error(
      `${EXAMPLE_APP_ENTRY} is missing: the host loads compiled apps, run "npm run build" first`,
    );
  }
  const clock = options.clock ?? new VirtualClock();
  const logs: HostLogEntry[] = [];
  const host = await startLocalHost({
    appEntry: EXAMPLE_APP_ENTRY,
    clock,
    settings: { TICK_SCHEDULE: "0 0 0 1 1 *", ...options.settings },
    log: (entry) => logs.push(entry),
    ...options,
  });
  return {
    host,
    clock,
    logs,
    call: (path, init = {}) => {
      const { key, ...rest } = init;
      const headers = new Headers(rest.headers);
      const useKey = key === undefined ? host.functionKey : key;
      if (useKey) headers.set("x-functions-key", useKey);
      return fetch(`${host.baseUrl}${path}`, { ...rest, headers });
    },
  };
}
