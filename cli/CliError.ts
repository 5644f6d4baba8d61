// The one error type the CLI throws: a message for the operator and the exit code it maps to.
import { ExitCode, type ExitCodeValue } from "./exitCodes";

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue,
    /** The server's error code (PascalCase) when the error came from the API. */
    readonly code?: string,
    /** The server's response body, printed with --json. */
    readonly responseBody?: unknown,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** A mistake on the command line: prints the message and a hint to run --help. */
export function usageError(message: string): CliError {
  return new CliError(message, ExitCode.Usage, "Usage");
}
