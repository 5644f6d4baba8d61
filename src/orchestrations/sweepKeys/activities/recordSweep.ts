// Activity: writes the sweep's summary record, the answer of GET /api/sweeps/{id} once the sweep has ended.
import { getServices } from "../../../lib/services";
import type { SweepRecord } from "../../../lib/sweeps";
import { sweepRecordOf } from "../sweepRecordOf";
import type { SweepRecordInput } from "../types";

/** Safe to run twice: the record is replaced, one row per sweep id. */
export async function recordSweep(input: SweepRecordInput): Promise<SweepRecord> {
  const services = getServices();
  const record = sweepRecordOf(input, services.allowList);
  await services.sweeps.put(record);
  return record;
}
