// `rotate <keyId> [--dry-run] [--wait]`: starts (or plans) a rotation and optionally waits for its outcome.
import { ExitCode, type ExitCodeValue } from "../exitCodes";
import { resolveKeyId } from "../keyReference";
import { exitCodeForOutcome } from "../outcome";
import { renderPlan, renderRotation } from "../render";
import { JUST_STARTED_GRACE_MS, waitForOutcome } from "../waitForOutcome";
import { acceptedId, emit, postStart, type CommandContext } from "./CommandContext";

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
  const started = await postStart(
    context,
    "/api/rotations",
    body,
    (runningId) => `running rotation: ${runningId}; follow it with: cmk-rotator status ${runningId} --wait`,
  );
  if (args.isDryRun) return emit(context, started.body, renderPlan, ExitCode.Ok);
  const id = acceptedId(started.body, "rotation");
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
