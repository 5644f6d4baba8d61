// What every command handler gets: the API client, the resolved connection, global options and the streams.
import type { ApiClient, ApiResponse } from "../apiClient";
import { CliError } from "../CliError";
import { ExitCode } from "../exitCodes";
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

/**
 * POSTs a start request. A 409 naming the operation already running is rethrown with `hint(runningId)`
 * appended (same exit code, code and body); any other failure is thrown as it came.
 */
export async function postStart(
  context: CommandContext,
  path: string,
  body: Record<string, unknown>,
  hint: (runningId: string) => string,
): Promise<ApiResponse> {
  try {
    return await context.api.post(path, body);
  } catch (error) {
    const runningId =
      error instanceof CliError && error.exitCode === ExitCode.Conflict
        ? idOf(error.responseBody)
        : undefined;
    if (error instanceof CliError && runningId) {
      throw new CliError(
        `${error.message} (${hint(runningId)})`,
        ExitCode.Conflict,
        error.code,
        error.responseBody,
      );
    }
    throw error;
  }
}

/** The id of an accepted start; a body without one is a Failed CliError naming `what`. */
export function acceptedId(body: unknown, what: string): string {
  const id = idOf(body);
  if (!id)
    throw new CliError(
      `the function app accepted the ${what} but returned no id`,
      ExitCode.Failed,
      "NoId",
      body,
    );
  return id;
}
