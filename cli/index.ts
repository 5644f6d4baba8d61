#!/usr/bin/env node
// Entry of the `cmk-rotator` command (package.json "bin"): runs one command and exits with its exit code.
import { runCli } from "./runCli";

void runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
}).then((exitCode) => {
  process.exitCode = exitCode;
});
