// Test support: runs the compiled sandbox (`dist/sandbox/start.js`) and the compiled CLI as child processes, as a user would.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../../../sandbox/packageRoot";
import { testTls } from "../../../sandbox/tls";

export const START_SCRIPT = join(packageRoot(), "dist", "sandbox", "start.js");
export const CLI_SCRIPT = join(packageRoot(), "dist", "cli", "index.js");

export interface SandboxProcess {
  child: ChildProcess;
  /** Everything printed so far. */
  output(): string;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
}

export function assertBuilt(): void {
  for (const script of [START_SCRIPT, CLI_SCRIPT]) {
    if (!existsSync(script)) throw new Error(`${script} is missing: run npm run build first (npm test does)`);
  }
}

/** Starts `node dist/sandbox/start.js <args>` exactly as `npm start -- <args>` does (NODE_EXTRA_CA_CERTS set). */
export function spawnSandbox(args: string[], env: NodeJS.ProcessEnv): SandboxProcess {
  const child = spawn(process.execPath, [START_SCRIPT, ...args], {
    cwd: packageRoot(),
    env: { ...process.env, NODE_EXTRA_CA_CERTS: testTls().caCertPath, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Waits for the `sandbox ready` line; fails with the output so far when the process ends or time runs out. */
export async function waitForReady(sandbox: SandboxProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let hasExited = false;
  void sandbox.exited.then(() => (hasExited = true));
  while (!/^sandbox ready$/m.test(sandbox.output())) {
    if (hasExited) throw new Error(`the sandbox exited before it was ready:\n${sandbox.output()}`);
    if (Date.now() > deadline)
      throw new Error(`no "sandbox ready" within ${timeoutMs} ms:\n${sandbox.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/cli/index.js <args>` (the package's bin) with the given environment. */
export function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI_SCRIPT, ...args],
      { cwd: packageRoot(), env: { ...process.env, ...env }, timeout: 120_000 },
      (error, stdout, stderr) => {
        const exitCode = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ exitCode, stdout, stderr });
      },
    );
  });
}

export function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, "utf8")) as T;
}

/** True while a process with that id exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
