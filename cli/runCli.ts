// Runs one cmk-rotator invocation: parse, connect, dispatch to the command, print errors, return the exit code.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../sandbox/packageRoot";
import { ApiClient } from "./apiClient";
import { CliError } from "./CliError";
import { parseCommandLine, type Command } from "./commandLine";
import { resolveConnection } from "./connection";
import { ExitCode, type ExitCodeValue } from "./exitCodes";
import { HELP_TEXT } from "./helpText";
import type { CliIo } from "./io";
import { deleteBinding, getBinding, listBindings, setBinding } from "./commands/bindings";
import { changeKey } from "./commands/changeKey";
import type { CommandContext } from "./commands/CommandContext";
import { discover } from "./commands/discover";
import { history } from "./commands/history";
import { restore, revoke } from "./commands/revocation";
import { rotate } from "./commands/rotate";
import { sweep } from "./commands/sweep";
import { status } from "./commands/status";

export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCodeValue> {
  let isJson = argv.includes("--json");
  try {
    const { command, options } = parseCommandLine(argv);
    isJson = options.isJson;
    if (command.name === "help") {
      io.stdout.write(HELP_TEXT);
      return ExitCode.Ok;
    }
    if (command.name === "version") {
      io.stdout.write(`${packageVersion()}\n`);
      return ExitCode.Ok;
    }
    const connection = resolveConnection(options, io.env, io.cwd);
    const context: CommandContext = { api: new ApiClient(connection), connection, options, io };
    return await dispatch(context, command);
  } catch (error) {
    return reportError(error, isJson, io);
  }
}

function dispatch(
  context: CommandContext,
  command: Exclude<Command, { name: "help" | "version" }>,
): Promise<ExitCodeValue> {
  switch (command.name) {
    case "rotate":
      return rotate(context, command);
    case "sweep":
      return sweep(context, command);
    case "changeKey":
      return changeKey(context, command);
    case "status":
      return status(context, command);
    case "history":
      return history(context, command);
    case "discover":
      return discover(context, command);
    case "bindingsList":
      return listBindings(context);
    case "bindingsGet":
      return getBinding(context, command);
    case "bindingsSet":
      return setBinding(context, command);
    case "bindingsDelete":
      return deleteBinding(context, command);
    case "revoke":
      return revoke(context, command);
    case "restore":
      return restore(context, command);
  }
}

/** Errors go to stderr as one line (plus the server's JSON body with --json, on stdout, for scripts). */
function reportError(error: unknown, isJson: boolean, io: CliIo): ExitCodeValue {
  if (error instanceof CliError) {
    io.stderr.write(`cmk-rotator: ${error.message}\n`);
    if (error.exitCode === ExitCode.Usage && error.code === "Usage")
      io.stderr.write("run cmk-rotator --help for usage\n");
    if (isJson) {
      const body = error.responseBody ?? { error: { code: error.code ?? "Error", message: error.message } };
      io.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    }
    return error.exitCode;
  }
  // Not expected: say what happened in one line, no stack trace.
  io.stderr.write(
    `cmk-rotator: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  return ExitCode.Failed;
}

function packageVersion(): string {
  try {
    const manifest = JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as {
      version?: string;
    };
    return manifest.version ?? "unknown";
  } catch {
    return "unknown";
  }
}
