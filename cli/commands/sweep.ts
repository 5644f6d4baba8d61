// `sweep --reason <text> [--vault v] [--force] [--dry-run] [--wait]`: runs (or plans) the sweep now and optionally waits for it.
import { ExitCode, type ExitCodeValue } from "../exitCodes";
import { exitCodeForOutcome } from "../outcome";
import { JUST_STARTED_GRACE_MS, waitForOutcome } from "../waitForOutcome";
import { acceptedId, emit, postStart, type CommandContext } from "./CommandContext";

export interface SweepArgs {
  reason: string;
  vaultName?: string;
  isForced: boolean;
  isDryRun: boolean;
  shouldWait: boolean;
}

interface SweepView {
  id?: string;
  status?: string;
  counts?: Record<string, number>;
  waiting?: string[];
  failed?: { keyId: string; detail: string }[];
}

interface SweepPlanView {
  wouldRotate?: { keyId: string; action: string; reason: string }[];
  unchanged?: { keyId: string; detail: string }[];
}

/** e.g. `keys Started 5, Waiting 1 · 1 waiting · 0 failed` */
export function sweepProgressDetail(record: unknown): string | undefined {
  if (typeof record !== "object" || record === null) return undefined;
  const view = record as SweepView;
  const counts = Object.entries(view.counts ?? {})
    .map(([state, count]) => `${state} ${count}`)
    .join(", ");
  return [
    `keys ${counts || "none yet"}`,
    `${view.waiting?.length ?? 0} waiting`,
    `${view.failed?.length ?? 0} failed`,
  ].join(" · ");
}

function renderSweep(record: unknown): string {
  const view = (record ?? {}) as SweepView;
  const lines = [`sweep ${view.id ?? "?"}: ${view.status ?? "?"} · ${sweepProgressDetail(record) ?? ""}`];
  for (const keyId of view.waiting ?? []) lines.push(`  waiting  ${keyId}`);
  for (const failure of view.failed ?? []) lines.push(`  failed   ${failure.keyId}: ${failure.detail}`);
  return lines.join("\n");
}

function renderSweepPlan(body: unknown): string {
  const plan = (body ?? {}) as SweepPlanView;
  const lines = [
    `dry run: ${plan.wouldRotate?.length ?? 0} to rotate, ${plan.unchanged?.length ?? 0} unchanged`,
  ];
  for (const item of plan.wouldRotate ?? [])
    lines.push(`  ${item.action.padEnd(11)} ${item.keyId}: ${item.reason}`);
  for (const item of plan.unchanged ?? []) lines.push(`  unchanged   ${item.keyId}: ${item.detail}`);
  return lines.join("\n");
}

export async function sweep(context: CommandContext, args: SweepArgs): Promise<ExitCodeValue> {
  const body: Record<string, unknown> = { reason: args.reason };
  if (args.vaultName !== undefined) body.vaultName = args.vaultName;
  if (args.isForced) body.force = true;
  if (args.isDryRun) body.dryRun = true;
  const started = await postStart(
    context,
    "/api/sweeps",
    body,
    (runningId) => `running sweep: ${runningId}; its progress: GET /api/sweeps/${runningId}`,
  );
  if (args.isDryRun) return emit(context, started.body, renderSweepPlan, ExitCode.Ok);
  const id = acceptedId(started.body, "sweep");
  if (!args.shouldWait) {
    return emit(
      context,
      started.body,
      () => `sweep ${id} started\nits progress: GET /api/sweeps/${id}`,
      ExitCode.Ok,
    );
  }
  const path = `/api/sweeps/${encodeURIComponent(id)}`;
  const record = await waitForOutcome(
    {
      what: "sweep",
      id,
      fetchRecord: async () => (await context.api.get(path)).body,
      notFoundGraceMs: JUST_STARTED_GRACE_MS,
      detailOf: sweepProgressDetail,
    },
    context.options,
    context.io,
  );
  return emit(context, record, renderSweep, exitCodeForOutcome(record));
}
