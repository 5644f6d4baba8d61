// One log line from the local host or from a function it runs, and the default sink that prints only problems.
import type { RpcLogCategory, RpcLogLevel } from "./worker/coreTypes";

export interface HostLogEntry {
  level: RpcLogLevel;
  /** `user` for context.log calls in functions, `system` for the host and the Functions libraries. */
  category: RpcLogCategory;
  message: string;
  functionName?: string;
  invocationId?: string;
}

export type HostLogger = (entry: HostLogEntry) => void;

const PROBLEM_LEVELS = new Set<RpcLogLevel>(["warning", "error", "critical"]);

/** Prints warnings and errors to stderr and drops the rest, so tests stay quiet unless something is wrong. */
export const printProblems: HostLogger = (entry) => {
  if (!PROBLEM_LEVELS.has(entry.level)) return;
  const where = entry.functionName ? ` [${entry.functionName}]` : "";
  console.error(`local host ${entry.level}${where}: ${entry.message}`);
};

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
