// What GET /api/keyChanges/{id} returns: the audit record (written at start, after each move and at the end),
// with the orchestration's live progress (step, moved/total, current environment) while it runs.
import type { DurableClient } from "durable-functions";
import type { KeyChangeRecord } from "../../lib/audit";
import { DomainError } from "../../lib/errors";
import { keyChangeInstanceId } from "../../lib/keys";
import type { Services } from "../../lib/services";
import type { KeyChangeCustomStatus } from "../../orchestrations/changeKey/types";

const KEY_CHANGE_ID = /^[0-9A-Za-z._-]{1,200}$/;

/** The record; while Running, plus `progress` from the instance's custom status (absent when unreadable). */
export type KeyChangeView = KeyChangeRecord & { progress?: Omit<KeyChangeCustomStatus, "changeId"> };

export async function readKeyChange(
  client: DurableClient,
  services: Pick<Services, "allowList" | "audit">,
  id: string,
): Promise<KeyChangeView> {
  if (!KEY_CHANGE_ID.test(id))
    throw new DomainError("BadRequest", "The key change id has characters a key change id never has.");
  const record = await services.audit.getKeyChange(id);
  if (!record) throw new DomainError("KeyChangeNotFound", `No key change has id ${id}.`);
  if (record.status !== "Running") return record;
  try {
    const instanceId = keyChangeInstanceId(
      services.allowList.parseKeyId(record.fromKeyId),
      services.allowList.parseKeyId(record.toKeyId),
    );
    const live = (await client.getStatus(instanceId)).customStatus as
      Partial<KeyChangeCustomStatus> | undefined;
    // The pair's instance id is reused by a resumed change: only this change's own status counts.
    if (live?.changeId !== id || typeof live.step !== "string") return record;
    const { step, moved = 0, total = 0, current } = live;
    return { ...record, progress: { step, moved, total, ...(current ? { current } : {}) } };
  } catch {
    // The durable status is a nicety on top of the record; without it the record still answers.
    return record;
  }
}
