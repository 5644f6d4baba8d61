// `rotate <keyId> [--dry-run] [--wait]`: starts (or plans) a rotation and optionally waits for its outcome.
import { CliError } from "../CliError";
import { ExitCode, type ExitCodeValue } from "../exitCodes";
import { resolveKeyId } from "../keyReference";
import { exitCodeForOutcome } from "../outcome";
import { renderPlan, renderRotation } from "../render";
import { JUST_STARTED_GRACE_MS, waitForOutcome } from "../waitForOutcome";
import { emit, idOf, type CommandContext } from "./CommandContext";

export interface RotateArgs {
  keyRef: string;
  isDryRun: boolean;
  shouldWait: boolean;
  reason?: string;
}

export async function rotate(context: CommandContext, args: RotateArgs): Promise<ExitCodeValue> {
  const keyId = resolveKeyId(args.keyRef, context.connection.keyVaults);
  const body: Record<string, unknown> = { keyId };
  if (args.reason !== undefined) body.reason = args.reason;
  if (args.isDryRun) body.dryRun = true;
  let started;
  try {
    started = await context.api.post("/api/rotations", body);
  } catch (error) {
    const runningId =
      error instanceof CliError && error.exitCode === ExitCode.Conflict
        ? idOf(error.responseBody)
        : undefined;
    if (runningId) {
      throw new CliError(
        `${error instanceof Error ? error.message : String(error)} (running rotation: ${runningId}; follow it with: cmk-rotator status ${runningId} --wait)`,
        ExitCode.Conflict,
        (error as CliError).code,
        (error as CliError).responseBody,
      );
    }
    throw error;
  }
  if (args.isDryRun) return emit(context, started.body, renderPlan, ExitCode.Ok);
  const id = idOf(started.body);
  if (!id) {
    throw new CliError(
      "the function app accepted the rotation but returned no id",
      ExitCode.Failed,
      "NoId",
      started.body,
    );
  }
  if (!args.shouldWait) {
    return emit(
      context,
      started.body,
      () => `rotation ${id} started for ${keyId}\nfollow it with: cmk-rotator status ${id} --wait`,
      ExitCode.Ok,
    );
  }
  const path = `/api/rotations/${encodeURIComponent(id)}`;
  const record = await waitForOutcome(
    {
      what: "rotation",
      id,
      fetchRecord: async () => (await context.api.get(path)).body,
      notFoundGraceMs: JUST_STARTED_GRACE_MS,
    },
    context.options,
    context.io,
  );
  return emit(context, record, renderRotation, exitCodeForOutcome(record));
}
