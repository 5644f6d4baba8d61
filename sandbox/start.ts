// `npm start`: starts the whole sandbox, seeds and runs the demo (unless --no-demo), writes .sandbox/sandbox.json,
// prints "sandbox ready", and stops every component on Ctrl-C/SIGTERM.
import { dashboardUrlOf } from "./launcher/dashboardUrl";
import { assertPortsFree, PortError, resolvePorts } from "./launcher/ports";
import { removeSandboxState, sandboxStateDir, writeSandboxState } from "./launcher/sandboxState";
import { startSandbox, type RunningSandbox } from "./launcher/startSandbox";
import { relaunchTrustingTestCa } from "./launcher/relaunchTrustingTestCa";
import { runDemo } from "./launcher/demo/runDemo";
import { seedDemoEstate } from "./launcher/demo/seedDemoEstate";

const USAGE =
  "usage: npm start [-- --no-demo]   (ports: CMK_SANDBOX_*_PORT, or CMK_SANDBOX_PORTS=0 for any free ports)";
/** How long stopping may take before the process exits anyway. */
const STOP_TIMEOUT_MS = 10_000;

async function main(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(USAGE);
    return 0;
  }
  const unknown = argv.filter((arg) => arg !== "--no-demo");
  if (unknown.length > 0) {
    console.error(`unknown argument ${unknown.join(" ")}\n${USAGE}`);
    return 2;
  }
  const withDemo = !argv.includes("--no-demo");
  if (!process.env.NODE_EXTRA_CA_CERTS) {
    console.error(
      "warning: NODE_EXTRA_CA_CERTS is not set; run through `npm start` so the sandbox's test CA is trusted",
    );
  }
  const startedAtMs = Date.now();
  const ports = resolvePorts(process.env);
  await assertPortsFree(ports);
  const stateDir = sandboxStateDir(process.env, process.cwd());
  const log = (line: string) => console.log(line);

  // Filled once started; the signal handlers are installed before, so Ctrl-C during start-up still stops cleanly.
  const running: { sandbox?: RunningSandbox } = {};
  let isStopping = false;
  const stop = async (signal: string) => {
    if (isStopping) return;
    isStopping = true;
    console.log(`\n${signal}: stopping the sandbox`);
    setTimeout(() => {
      console.error(`stopping took longer than ${STOP_TIMEOUT_MS / 1000} s; exiting anyway`);
      process.exit(1);
    }, STOP_TIMEOUT_MS).unref();
    removeSandboxState(stateDir);
    await running.sandbox?.stop();
    console.log("sandbox stopped");
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));

  const sandbox = await startSandbox({ ports, log });
  running.sandbox = sandbox;
  for (const warning of sandbox.warnings) console.log(`warning: ${warning}`);
  const estate = withDemo ? await seedDemoEstate(sandbox, log) : undefined;
  const statePath = writeSandboxState(stateDir, sandbox.state);
  console.log(`state        ${statePath}`);
  console.log(`started in ${((Date.now() - startedAtMs) / 1000).toFixed(1)} s`);
  console.log("sandbox ready");
  if (estate && !isStopping) await runDemo(sandbox, estate, log);
  if (!isStopping) {
    console.log(`status page  ${dashboardUrlOf(sandbox.state.functionsBaseUrl, sandbox.state.functionKey)}`);
    console.log("serving until Ctrl-C (try: node dist/cli/index.js --help)");
  }
  return 0;
}

// `npm start` sets NODE_EXTRA_CA_CERTS; a direct `node dist/sandbox/start.js` relaunches itself with it.
if (!relaunchTrustingTestCa()) {
  main(process.argv.slice(2)).then(
    (exitCode) => {
      if (exitCode !== 0) process.exit(exitCode);
    },
    (error: unknown) => {
      // Start-up failed: a clear line, never a stack trace for an expected problem such as a taken port.
      const message = error instanceof Error ? error.message : String(error);
      console.error(error instanceof PortError ? message : `sandbox failed to start: ${message}`);
      process.exit(1);
    },
  );
}
