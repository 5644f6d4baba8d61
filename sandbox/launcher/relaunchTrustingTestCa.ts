// Makes `node dist/sandbox/start.js` trust the sandbox's test CA: Node reads NODE_EXTRA_CA_CERTS only at start-up,
// so without it the launcher runs itself again as a child with the variable set and mirrors the child's exit.
import { spawn } from "node:child_process";
import { testTls } from "../tls";

/**
 * Returns false when this process already trusts the CA (carry on). Otherwise starts the child, forwards
 * SIGINT/SIGTERM to it, exits with its code, and returns true (the caller must do nothing more).
 */
export function relaunchTrustingTestCa(): boolean {
  if (process.env.NODE_EXTRA_CA_CERTS) return false;
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: "inherit",
    env: { ...process.env, NODE_EXTRA_CA_CERTS: testTls().caCertPath },
  });
  // Ctrl-C reaches both processes (same process group); a plain kill reaches only this one: pass it on.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (child.exitCode === null) child.kill(signal);
    });
  }
  child.once("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  return true;
}
