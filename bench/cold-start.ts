// Benchmark: cold start of the app with telemetry unset ÷ importing the SDKs it is built on alone, each in fresh Node processes.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../sandbox/packageRoot";
import { percentile } from "./support/stats";

const RUNS = 15;
/** Telemetry's own packages: loaded only with APPLICATIONINSIGHTS_CONNECTION_STRING, so not part of either side. */
const TELEMETRY_PACKAGES =
  /^(@azure\/monitor-opentelemetry|@azure\/functions-opentelemetry-instrumentation|@opentelemetry\/)/;

/** Settings valid enough for start-up; nothing is reached while importing. */
const APP_ENV: Record<string, string> = {
  AzureWebJobsStorage: "UseDevelopmentStorage=true",
  CMK_ALLOWED_VAULTS: "kv1=https://kv1.vault.azure.net",
  CMK_REVOCATION_SECRET: "bench-revocation-secret-0123456789abcdef",
  CMK_SWEEP_SCHEDULE: "0 0 3 * * *",
};

/** A child that installs the sandbox's @azure/functions-core, requires `modules` and prints the milliseconds the requires took. */
function childScript(modules: readonly string[]): string {
  const coreApi = join(packageRoot(), "dist", "sandbox", "host", "worker", "coreApi.js");
  return [
    `const core = require(${JSON.stringify(coreApi)});`,
    `const sink = core.newRegistrations(() => undefined);`,
    `let ms = 0;`,
    `core.collectRegistrations(sink, () => { const t0 = performance.now();`,
    ...modules.map((name) => `require(${JSON.stringify(name)});`),
    `ms = performance.now() - t0; }).then(() => console.log(ms));`,
  ].join("\n");
}

function timeOnce(script: string, env: Record<string, string | undefined>): number {
  const child = spawnSync(process.execPath, ["-e", script], { cwd: packageRoot(), env, encoding: "utf8" });
  if (child.status !== 0) throw new Error(`cold-start child failed: ${child.stderr}`);
  return Number(child.stdout.trim().split("\n").pop());
}

export function run(): Promise<void> {
  const root = packageRoot();
  const dependencies = Object.keys(
    (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { dependencies: Record<string, string> })
      .dependencies,
  );
  const sdks = dependencies.filter((name) => !TELEMETRY_PACKAGES.test(name));
  const telemetrySdks = ["@azure/monitor-opentelemetry", "@azure/functions-opentelemetry-instrumentation"];
  const env = { ...process.env, ...APP_ENV, APPLICATIONINSIGHTS_CONNECTION_STRING: undefined };
  const app = childScript([join(root, "dist", "src", "index.js")]);
  const sdksAlone = childScript(sdks);
  const telemetryAlone = childScript(telemetrySdks);
  const times = { app: [] as number[], sdks: [] as number[], telemetry: [] as number[] };
  // Interleaved, so a busy moment on a shared machine lands on both sides.
  for (let index = 0; index < RUNS; index += 1) {
    times.app.push(timeOnce(app, env));
    times.sdks.push(timeOnce(sdksAlone, env));
    if (index % 3 === 0) times.telemetry.push(timeOnce(telemetryAlone, env));
  }
  const median = (values: number[]) => percentile(values, 50);
  console.log(`SDKs alone (${sdks.length} packages: ${sdks.join(", ")})`);
  console.log(`  import p50 ${median(times.sdks).toFixed(1)} ms over ${RUNS} processes`);
  console.log(
    `app, APPLICATIONINSIGHTS_CONNECTION_STRING unset: import p50 ${median(times.app).toFixed(1)} ms`,
  );
  console.log(
    `for scale, the telemetry SDKs it does not load (${telemetrySdks.join(", ")}): p50 ${median(times.telemetry).toFixed(1)} ms`,
  );
  console.log(`cold-start: ratio ${(median(times.app) / median(times.sdks)).toFixed(2)} (goal ≤ 1.2)`);
  return Promise.resolve();
}
