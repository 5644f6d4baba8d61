// Decides where the CLI connects and with which secrets: flags, then environment, then .sandbox/sandbox.json.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ExitCode } from "./exitCodes";
import { CliError } from "./CliError";
import type { GlobalOptions } from "./commandLine";

export interface Connection {
  baseUrl: string;
  functionKey?: string;
  revocationSecret?: string;
  /** Vault name → vault URL, known when connected to the sandbox: lets `rotate vault/key` work. */
  keyVaults: Record<string, string>;
  /** Where the settings came from, for error messages. */
  source: string;
}

/** The fields of the sandbox state file the CLI uses (docs/sandbox.md). */
interface SandboxState {
  functionsBaseUrl?: unknown;
  functionKey?: unknown;
  revocationSecret?: unknown;
  keyVaults?: unknown;
}

/** The folder that holds sandbox.json: CMK_SANDBOX_DIR, else ./.sandbox. */
export function sandboxDir(env: NodeJS.ProcessEnv, cwd: string): string {
  return env.CMK_SANDBOX_DIR && env.CMK_SANDBOX_DIR.trim() !== ""
    ? env.CMK_SANDBOX_DIR
    : join(cwd, ".sandbox");
}

export function resolveConnection(options: GlobalOptions, env: NodeJS.ProcessEnv, cwd: string): Connection {
  const sandbox = readSandboxState(sandboxDir(env, cwd));
  const fromSandbox = sandbox.state;
  const baseUrl = options.baseUrl ?? nonEmpty(env.CMK_BASE_URL) ?? asString(fromSandbox?.functionsBaseUrl);
  if (!baseUrl) {
    throw new CliError(
      "no function app to talk to: pass --base-url, set CMK_BASE_URL, or start the sandbox (npm start) so that .sandbox/sandbox.json exists",
      ExitCode.Usage,
      "NoBaseUrl",
    );
  }
  let parsedUrl: URL;
  try {
    parsedUrl = new URL(baseUrl);
  } catch {
    throw new CliError(`base URL "${baseUrl}" is not a URL`, ExitCode.Usage, "BadBaseUrl");
  }
  // Secrets from the sandbox file only apply when talking to that same sandbox.
  const isSandboxTarget =
    fromSandbox !== undefined && sameOrigin(asString(fromSandbox.functionsBaseUrl), baseUrl);
  return {
    baseUrl: parsedUrl.toString().replace(/\/+$/, ""),
    functionKey:
      options.functionKey ??
      nonEmpty(env.CMK_FUNCTION_KEY) ??
      (isSandboxTarget ? asString(fromSandbox.functionKey) : undefined),
    revocationSecret:
      options.revocationSecret ??
      nonEmpty(env.CMK_REVOCATION_SECRET) ??
      (isSandboxTarget ? asString(fromSandbox.revocationSecret) : undefined),
    keyVaults: isSandboxTarget ? asStringRecord(fromSandbox.keyVaults) : {},
    source: options.baseUrl ? "--base-url" : env.CMK_BASE_URL ? "CMK_BASE_URL" : sandbox.path,
  };
}

function readSandboxState(dir: string): { path: string; state?: SandboxState } {
  const path = join(dir, "sandbox.json");
  if (!existsSync(path)) return { path };
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, "utf8"));
    return {
      path,
      state: typeof parsed === "object" && parsed !== null ? parsed : undefined,
    };
  } catch (error) {
    throw new CliError(
      `${path} is not valid JSON (${error instanceof Error ? error.message : String(error)}); restart the sandbox`,
      ExitCode.Usage,
      "BadSandboxState",
    );
  }
}

function sameOrigin(a: string | undefined, b: string): boolean {
  if (!a) return false;
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== "" ? value.trim() : undefined;
}

function asString(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function asStringRecord(value: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  if (typeof value !== "object" || value === null) return result;
  for (const [name, url] of Object.entries(value)) if (typeof url === "string") result[name] = url;
  return result;
}
