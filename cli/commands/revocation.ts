// `revoke <keyId> --reason` and `restore <id> --reason`: signed emergency revocation and its undo.
import { CliError } from "../CliError";
import { ExitCode, type ExitCodeValue } from "../exitCodes";
import { resolveKeyId } from "../keyReference";
import { exitCodeForOutcome, isFinished, statusOf } from "../outcome";
import { renderRevocation } from "../render";
import { JUST_STARTED_GRACE_MS, waitForOutcome } from "../waitForOutcome";
import { emit, idOf, type CommandContext } from "./CommandContext";

export interface RevokeArgs {
  keyRef: string;
  reason: string;
  shouldWait: boolean;
  requestId?: string;
}

export async function revoke(context: CommandContext, args: RevokeArgs): Promise<ExitCodeValue> {
  const keyId = resolveKeyId(args.keyRef, context.connection.keyVaults);
  const response = await context.api.postSigned(
    "/api/revocations",
    withRequestId({ keyId, reason: args.reason }, args.requestId),
  );
  const id = idOf(response.body);
  if (!id)
    throw new CliError(
      "the function app accepted the revocation but returned no id",
      ExitCode.Failed,
      "NoId",
      response.body,
    );
  return follow(context, id, response.body, args.shouldWait, `revocation ${id} started for ${keyId}`);
}

export interface RestoreArgs {
  id: string;
  reason: string;
  shouldWait: boolean;
  requestId?: string;
}

export async function restore(context: CommandContext, args: RestoreArgs): Promise<ExitCodeValue> {
  const response = await context.api.postSigned(
    `/api/revocations/${encodeURIComponent(args.id)}/restore`,
    withRequestId({ reason: args.reason }, args.requestId),
  );
  // The revocation's own final state (e.g. Revoked) is not the end of a restore.
  const isRestoreDone = (record: unknown) => isFinished(record) && !/^Revoked$/i.test(statusOf(record) ?? "");
  return follow(
    context,
    args.id,
    response.body,
    args.shouldWait,
    `restore of revocation ${args.id} started`,
    isRestoreDone,
  );
}

function withRequestId(
  body: Record<string, unknown>,
  requestId: string | undefined,
): Record<string, unknown> {
  return requestId !== undefined ? { ...body, requestId } : body;
}

async function follow(
  context: CommandContext,
  id: string,
  accepted: unknown,
  shouldWait: boolean,
  startedLine: string,
  isDone?: (record: unknown) => boolean,
): Promise<ExitCodeValue> {
  if (!shouldWait) {
    return emit(
      context,
      accepted ?? { id },
      () => `${startedLine}\nfollow it with: cmk-rotator status ${id} --revocation --wait`,
      ExitCode.Ok,
    );
  }
  const path = `/api/revocations/${encodeURIComponent(id)}`;
  const record = await waitForOutcome(
    {
      what: "revocation",
      id,
      fetchRecord: async () => (await context.api.get(path)).body,
      isDone,
      notFoundGraceMs: JUST_STARTED_GRACE_MS,
    },
    context.options,
    context.io,
  );
  return emit(context, record, renderRevocation, exitCodeForOutcome(record));
}
