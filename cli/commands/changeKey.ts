// `change-key <from> <to> --reason … [--dry-run] [--strategy s] [--target id]… [--wait]`: moves every consumer of
// one key to a different key (or plans it), and optionally waits for the outcome.
import { CliError } from "../CliError";
import type { ChangeKeyArgs } from "../commandLine";
import { ExitCode, type ExitCodeValue } from "../exitCodes";
import { resolveKeyId } from "../keyReference";
import { exitCodeForOutcome } from "../outcome";
import {
  keyChangeProgressDetail,
  renderKeyChange,
  renderKeyChangePlan,
  renderPreflightRefusal,
} from "../renderKeyChange";
import { JUST_STARTED_GRACE_MS, waitForOutcome } from "../waitForOutcome";
import { acceptedId, emit, postStart, type CommandContext } from "./CommandContext";

export async function changeKey(context: CommandContext, args: ChangeKeyArgs): Promise<ExitCodeValue> {
  const { keyVaults } = context.connection;
  const body: Record<string, unknown> = {
    fromKeyId: resolveKeyId(args.fromKeyRef, keyVaults),
    toKeyId: resolveKeyId(args.toKeyRef, keyVaults),
    reason: args.reason,
  };
  if (args.strategy !== undefined) body.strategy = args.strategy;
  if (args.targets.length > 0) body.targets = args.targets;
  if (args.isDryRun) body.dryRun = true;
  const started = await postKeyChange(context, body);
  if (args.isDryRun) return emit(context, started.body, renderKeyChangePlan, ExitCode.Ok);
  const id = acceptedId(started.body, "key change");
  if (!args.shouldWait) {
    return emit(
      context,
      started.body,
      () =>
        `key change ${id} started: ${String(body.fromKeyId)} -> ${String(body.toKeyId)}\nfollow it with: cmk-rotator status ${id} --key-change --wait`,
      ExitCode.Ok,
    );
  }
  const record = await followKeyChange(context, id, JUST_STARTED_GRACE_MS);
  return emit(context, record, renderKeyChange, exitCodeForOutcome(record));
}

/** A refused preflight prints every finding (the `az` lines whole) before the error line; exit 8. */
async function postKeyChange(context: CommandContext, body: Record<string, unknown>) {
  try {
    return await postStart(
      context,
      "/api/keyChanges",
      body,
      (runningId) => `it is ${runningId}; follow it with: cmk-rotator status ${runningId} --wait`,
    );
  } catch (error) {
    if (error instanceof CliError && error.exitCode === ExitCode.PreflightFailed && !context.options.isJson)
      context.io.stdout.write(`${renderPreflightRefusal(error.responseBody)}\n`);
    throw error;
  }
}

/** Polls `GET /api/keyChanges/{id}` with the step, moved/total and current environment on the progress line. */
export function followKeyChange(context: CommandContext, id: string, notFoundGraceMs = 0): Promise<unknown> {
  const path = `/api/keyChanges/${encodeURIComponent(id)}`;
  return waitForOutcome(
    {
      what: "key change",
      id,
      fetchRecord: async () => (await context.api.get(path)).body,
      notFoundGraceMs,
      detailOf: keyChangeProgressDetail,
    },
    context.options,
    context.io,
  );
}
