// Without APPLICATIONINSIGHTS_CONNECTION_STRING the app loads no telemetry SDK; with it, Azure Monitor starts and the facade records.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../../../../sandbox/packageRoot";

const TELEMETRY = join(packageRoot(), "dist", "src", "lib", "telemetry", "index.js");

/** Requires the compiled telemetry module in a fresh process, starts it, and reports what got loaded. */
function startIn(env: Record<string, string | undefined>): {
  isStarted: boolean;
  isEnabled: boolean;
  loaded: string[];
} {
  const script = `
    const telemetry = require(${JSON.stringify(TELEMETRY)});
    const isStarted = telemetry.startTelemetry();
    const loaded = [...new Set(Object.keys(require.cache)
      .map((path) => path.split("node_modules/").pop().split("/").slice(0, 2).join("/"))
      .filter((name) => name.includes("opentelemetry")))];
    console.log(JSON.stringify({ isStarted, isEnabled: telemetry.getTelemetry().isEnabled, loaded }));
    process.exitCode = 0;
    setImmediate(() => process.exit());`;
  const child = spawnSync(process.execPath, ["-e", script], {
    env: { ...process.env, ...env },
    encoding: "utf8",
  });
  expect(child.stderr).not.toMatch(/Error/);
  return JSON.parse(child.stdout.trim().split("\n").pop()!) as ReturnType<typeof startIn>;
}

describe("startTelemetry", () => {
  it("loads nothing and records nothing when the connection string is unset", () => {
    expect(startIn({ APPLICATIONINSIGHTS_CONNECTION_STRING: undefined })).toEqual({
      isStarted: false,
      isEnabled: false,
      loaded: [],
    });
  });

  it("starts Azure Monitor when the connection string is set", () => {
    const started = startIn({
      APPLICATIONINSIGHTS_CONNECTION_STRING:
        "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://127.0.0.1:9/",
    });
    expect(started.isStarted).toBe(true);
    expect(started.isEnabled).toBe(true);
    expect(started.loaded.some((path) => path === "@azure/monitor-opentelemetry")).toBe(true);
  });
});
