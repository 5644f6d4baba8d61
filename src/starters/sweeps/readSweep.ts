// What GET /api/sweeps/{id} returns: the summary record once the sweep ended, its custom status while it runs.
import type { DurableClient, DurableOrchestrationStatus } from "durable-functions";
import { DomainError } from "../../lib/errors";
import type { Services } from "../../lib/services";
import type { SweepRecord, SweepStatus } from "../../lib/sweeps";
import { SWEEP_ID_PATTERN, sweepInstanceId } from "../../orchestrations/sweepKeys/sweepIds";
import { keyIdOfPath } from "../../orchestrations/sweepKeys/sweepRecordOf";
import type { SweepInput, SweepProgress } from "../../orchestrations/sweepKeys/types";
import { activeInstanceStatus } from "../activeInstanceStatus";

const ENDED: Record<string, SweepStatus> = { Completed: "Completed", Failed: "Failed", Terminated: "Failed" };

/** The record of a sweep still running (or one that ended without writing its record), from the task hub. */
function liveRecord(
  id: string,
  status: DurableOrchestrationStatus,
  allowList: Services["allowList"],
): SweepRecord {
  const progress = (status.customStatus ?? {}) as Partial<SweepProgress>;
  const input = (status.input ?? {}) as Partial<SweepInput>;
  const ended = ENDED[String(status.runtimeStatus)];
  return {
    id,
    status: ended ?? "Running",
    reason: input.reason ?? "",
    trigger: input.trigger ?? "Schedule",
    vaultName: input.vaultName ?? null,
    force: input.force === true,
    counts: { ...(progress.counts ?? {}) },
    waiting: (Array.isArray(progress.waiting) ? progress.waiting : []).map((path) =>
      keyIdOfPath(path, allowList),
    ),
    failed: (Array.isArray(progress.failed) ? progress.failed : []).map(({ key, detail }) => ({
      keyId: keyIdOfPath(key, allowList),
      detail,
    })),
    startedAt: new Date(status.createdTime).toISOString(),
    finishedAt: ended ? new Date(status.lastUpdatedTime).toISOString() : null,
  };
}

/** Throws SweepNotFound for unknown (or malformed) ids. */
export async function readSweep(
  client: DurableClient,
  services: Pick<Services, "allowList" | "sweeps">,
  id: string,
): Promise<SweepRecord> {
  if (!SWEEP_ID_PATTERN.test(id)) throw new DomainError("SweepNotFound", `No sweep has id ${id}.`);
  const record = await services.sweeps.get(id);
  if (record) return record;
  const running = await activeInstanceStatus(client, sweepInstanceId(id));
  if (running) return liveRecord(id, running, services.allowList);
  // Ended without a record (it failed or was terminated before writing it): the task hub still knows it.
  const ended = await client.getStatus(sweepInstanceId(id)).catch(() => undefined);
  if (ended && ENDED[String(ended.runtimeStatus)]) return liveRecord(id, ended, services.allowList);
  throw new DomainError("SweepNotFound", `No sweep has id ${id}.`);
}
