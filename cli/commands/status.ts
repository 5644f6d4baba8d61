// `status <id> [--rotation|--revocation] [--wait]`: shows a rotation or a revocation, optionally until it finishes.
import { CliError } from "../CliError";
import { ExitCode, type ExitCodeValue } from "../exitCodes";
import { exitCodeForOutcome } from "../outcome";
import { renderRevocation, renderRotation } from "../render";
import { waitForOutcome } from "../waitForOutcome";
import { emit, type CommandContext } from "./CommandContext";

export interface StatusArgs {
  id: string;
  kind: "any" | "rotation" | "revocation";
  shouldWait: boolean;
}

export async function status(context: CommandContext, args: StatusArgs): Promise<ExitCodeValue> {
  const kind = args.kind === "any" ? await findKind(context, args.id) : args.kind;
  const path = `/api/${kind === "rotation" ? "rotations" : "revocations"}/${encodeURIComponent(args.id)}`;
  const fetchRecord = async () => (await context.api.get(path)).body;
  const record = args.shouldWait
    ? await waitForOutcome({ what: kind, id: args.id, fetchRecord }, context.options, context.io)
    : await fetchRecord();
  // Without --wait a running record is a normal answer: exit 0 unless it already ended badly.
  return emit(
    context,
    record,
    kind === "rotation" ? renderRotation : renderRevocation,
    exitCodeForOutcome(record),
  );
}

/** An id alone does not say what it names: ask for a rotation first, then a revocation. */
async function findKind(context: CommandContext, id: string): Promise<"rotation" | "revocation"> {
  for (const kind of ["rotation", "revocation"] as const) {
    try {
      await context.api.get(`/api/${kind}s/${encodeURIComponent(id)}`);
      return kind;
    } catch (error) {
      if (!(error instanceof CliError && error.exitCode === ExitCode.NotFound)) throw error;
    }
  }
  throw new CliError(`no rotation or revocation with id "${id}"`, ExitCode.NotFound, "NotFound");
}
