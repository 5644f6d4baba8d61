// Activity: write the key change record (both keys' histories), mark both keys, publish the outcome once it ended.
import { getServices } from "../../../lib/services";
import { ensureError } from "../../../lib/errors";
import { markKeyPair } from "../../../lib/keys";
import type { RecordKeyChangeInput } from "../types";

/** Needs Storage Table Data Contributor (and EventGrid Data Sender when a topic is set). Upserts only: safe twice. */
export async function recordKeyChange(input: RecordKeyChangeInput): Promise<void> {
  const services = getServices();
  await services.audit.putKeyChange(input.from, input.to, input.record);
  await markKeyPair(services.keyChangeMarks, input, {
    changeId: input.record.id,
    instanceId: input.instanceId,
    ...(input.retirableAfterMs === undefined ? {} : { retirableAfterMs: input.retirableAfterMs }),
  });
  if (input.record.status === "Running") return;
  try {
    await services.notifications.publish({ kind: "keyChange", key: input.from, record: input.record });
  } catch (error) {
    // The record is the source of truth; a topic outage must not fail the change.
    console.warn(`Key change ${input.record.id}: outcome not published (${ensureError(error).message}).`);
  }
}
