// Polls a rotation or revocation until it finishes, showing progress on stderr (TTY, or when --progress asks).
import { CliError } from "./CliError";
import { ExitCode } from "./exitCodes";
import { isFinished, statusOf } from "./outcome";
import type { GlobalOptions } from "./commandLine";
import type { CliIo } from "./io";

export interface WaitRequest {
  /** "rotation" or "revocation": used in progress lines and the timeout message. */
  what: string;
  id: string;
  fetchRecord: () => Promise<unknown>;
  /** Overrides "finished": a restore must not stop at the revocation's earlier final state. */
  isDone?: (record: unknown) => boolean;
  /** Right after a 202 the record may not be written yet: a 404 within this many ms means "ask again". */
  notFoundGraceMs?: number;
  /** What the progress line shows of the record besides its status (default: its targets). */
  detailOf?: (record: unknown) => string | undefined;
}

/** The grace commands use right after the app accepted an operation. */
export const JUST_STARTED_GRACE_MS = 10_000;

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Returns the finished record; throws a TimedOut CliError when --timeout passes first. */
export async function waitForOutcome(
  request: WaitRequest,
  options: GlobalOptions,
  io: CliIo,
): Promise<unknown> {
  const sleep = io.sleep ?? realSleep;
  const isTty = io.stderr.isTTY === true;
  const showsProgress = options.progress === "always" || (options.progress === "auto" && isTty);
  const startedAtMs = Date.now();
  const deadlineMs = startedAtMs + options.timeoutSeconds * 1000;
  let lastLine = "";
  const show = (line: string, isFinal: boolean) => {
    if (!showsProgress) return;
    if (isTty) io.stderr.write(`\r\x1b[K${line}${isFinal ? "\n" : ""}`);
    else if (line !== lastLine) io.stderr.write(`${line}\n`);
    lastLine = line;
  };
  for (;;) {
    const record = await fetchTolerantly(request, startedAtMs);
    if (record === NOT_YET) {
      await sleep(options.pollIntervalSeconds * 1000);
      continue;
    }
    const elapsedSeconds = Math.round((Date.now() - startedAtMs) / 1000);
    const finished = (request.isDone ?? isFinished)(record);
    show(progressLine(request, record, elapsedSeconds), finished);
    if (finished) return record;
    if (Date.now() >= deadlineMs) {
      if (showsProgress && isTty) io.stderr.write("\n");
      throw new CliError(
        `${request.what} ${request.id} is still ${statusOf(record) ?? "running"} after ${options.timeoutSeconds} s; check later with: cmk-rotator status ${request.id}`,
        ExitCode.TimedOut,
        "TimedOut",
        record,
      );
    }
    await sleep(options.pollIntervalSeconds * 1000);
  }
}

const NOT_YET = Symbol("not yet recorded");

async function fetchTolerantly(request: WaitRequest, startedAtMs: number): Promise<unknown> {
  try {
    return await request.fetchRecord();
  } catch (error) {
    const isNotFound = error instanceof CliError && error.exitCode === ExitCode.NotFound;
    if (isNotFound && Date.now() - startedAtMs < (request.notFoundGraceMs ?? 0)) return NOT_YET;
    throw error;
  }
}

/** e.g. `rotation abc: Running · targets 1/2 done (storageAccount: Verified, powerPlatformPolicy: Applying) · 4 s` */
export function progressLine(request: WaitRequest, record: unknown, elapsedSeconds: number): string {
  const parts = [`${request.what} ${request.id}: ${statusOf(record) ?? "waiting"}`];
  if (request.detailOf) {
    const detail = request.detailOf(record);
    if (detail) parts.push(detail);
    parts.push(`${elapsedSeconds} s`);
    return parts.join(" · ");
  }
  const targets =
    typeof record === "object" && record !== null && Array.isArray((record as { targets?: unknown }).targets)
      ? ((record as { targets: unknown[] }).targets as Array<{ kind?: unknown; status?: unknown }>)
      : [];
  if (targets.length > 0) {
    const done = targets.filter((target) =>
      /^(Verified|Completed|Succeeded|Applied|Ok|Locked|Revoked|Restored)$/i.test(String(target.status)),
    ).length;
    const states = targets.map((target) => `${String(target.kind)}: ${String(target.status)}`).join(", ");
    parts.push(`targets ${done}/${targets.length} done (${states})`);
  }
  parts.push(`${elapsedSeconds} s`);
  return parts.join(" · ");
}
