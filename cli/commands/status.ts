// `status <id> [--rotation|--revocation|--key-change] [--wait]`: shows a rotation, a revocation or a key change,
// optionally until it finishes.
import { CliError } from "../CliError";
import type { StatusKind } from "../commandLine";
import { ExitCode, type ExitCodeValue } from "../exitCodes";
import { exitCodeForOutcome } from "../outcome";
import { renderRevocation, renderRotation } from "../render";
import { renderKeyChange } from "../renderKeyChange";
import { waitForOutcome } from "../waitForOutcome";
import { followKeyChange } from "./changeKey";
import { emit, type CommandContext } from "./CommandContext";

export interface StatusArgs {
  id: string;
  kind: StatusKind;
  shouldWait: boolean;
}

type RecordKind = Exclude<StatusKind, "any">;

/** Each kind's collection route and rendering; also the order an id alone is tried in. */
const KINDS: Record<RecordKind, { route: string; what: string; render: (record: unknown) => string }> = {
  rotation: { route: "rotations", what: "rotation", render: renderRotation },
  revocation: { route: "revocations", what: "revocation", render: renderRevocation },
  keyChange: { route: "keyChanges", what: "key change", render: renderKeyChange },
};

export async function status(context: CommandContext, args: StatusArgs): Promise<ExitCodeValue> {
  const kind = args.kind === "any" ? await findKind(context, args.id) : args.kind;
  const { route, what, render } = KINDS[kind];
  const path = `/api/${route}/${encodeURIComponent(args.id)}`;
  const fetchRecord = async () => (await context.api.get(path)).body;
  const record = !args.shouldWait
    ? await fetchRecord()
    : kind === "keyChange"
      ? await followKeyChange(context, args.id)
      : await waitForOutcome({ what, id: args.id, fetchRecord }, context.options, context.io);
  // Without --wait a running record is a normal answer: exit 0 unless it already ended badly.
  return emit(context, record, render, exitCodeForOutcome(record));
}

/** An id alone does not say what it names: ask for a rotation first, then a revocation, then a key change. */
async function findKind(context: CommandContext, id: string): Promise<RecordKind> {
  for (const kind of Object.keys(KINDS) as RecordKind[]) {
    try {
      await context.api.get(`/api/${KINDS[kind].route}/${encodeURIComponent(id)}`);
      return kind;
    } catch (error) {
      if (!(error instanceof CliError && error.exitCode === ExitCode.NotFound)) throw error;
    }
  }
  throw new CliError(`no rotation, revocation or key change with id "${id}"`, ExitCode.NotFound, "NotFound");
}
