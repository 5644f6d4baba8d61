// The CLI's exit codes: stable numbers that scripts can branch on, and the HTTP status each one stands for.

export const ExitCode = {
  /** The command did what was asked (a rotation that ended Completed or Skipped included). */
  Ok: 0,
  /** The operation ran but failed or was only partially applied, or the server failed. */
  Failed: 1,
  /** The command line, or the request body it produced, was wrong (also a server 400/413). */
  Usage: 2,
  /** The key, rotation, revocation or binding does not exist (HTTP 404). */
  NotFound: 3,
  /** Something already runs for that key, e.g. a rotation (HTTP 409). */
  Conflict: 4,
  /** Missing or wrong function key or revocation secret, or a refused signature (HTTP 401/403). */
  Auth: 5,
  /** The function app could not be reached. */
  Unreachable: 6,
  /** `--wait` gave up before the operation finished; it is still running. */
  TimedOut: 7,
  /** A key change's preflight refused it (HTTP 409 PreflightFailed): nothing changed; each finding says what to fix. */
  PreflightFailed: 8,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** Maps an unsuccessful HTTP status (and the server's error code, where one 409 differs) to its exit code. */
export function exitCodeForHttpStatus(status: number, errorCode?: string): ExitCodeValue {
  if (status === 409 && errorCode === "PreflightFailed") return ExitCode.PreflightFailed;
  if (status === 400 || status === 413 || status === 415 || status === 422) return ExitCode.Usage;
  if (status === 401 || status === 403) return ExitCode.Auth;
  if (status === 404) return ExitCode.NotFound;
  if (status === 409) return ExitCode.Conflict;
  return ExitCode.Failed;
}
