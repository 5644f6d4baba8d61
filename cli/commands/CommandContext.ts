// What every command handler gets: the API client, the resolved connection, global options and the streams.
import type { ApiClient } from "../apiClient";
import type { GlobalOptions } from "../commandLine";
import type { Connection } from "../connection";
import type { ExitCodeValue } from "../exitCodes";
import type { CliIo } from "../io";

export interface CommandContext {
  api: ApiClient;
  connection: Connection;
  options: GlobalOptions;
  io: CliIo;
}

/** Prints the server's JSON with --json, else the human rendering; returns the exit code unchanged. */
export function emit(
  context: CommandContext,
  body: unknown,
  render: (body: unknown) => string,
  exitCode: ExitCodeValue,
): ExitCodeValue {
  const output = context.options.isJson ? JSON.stringify(body ?? null, null, 2) : render(body);
  context.io.stdout.write(`${output}\n`);
  return exitCode;
}

export function idOf(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const { id } = body as { id?: unknown };
  return typeof id === "string" && id !== "" ? id : undefined;
}
