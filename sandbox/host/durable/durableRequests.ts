// What a Durable client may ask of the task hub and how the engine refuses it: instance filters, valid instance ids,
// and the error the Durable HTTP API answers with.
import type { InstanceRecord, RuntimeStatus } from "./instanceStore";

/** A client operation the engine refused; `status` is the HTTP status the Durable HTTP API answers with. */
export class DurableRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface InstanceFilter {
  runtimeStatus?: RuntimeStatus[];
  createdTimeFrom?: number;
  createdTimeTo?: number;
  instanceIdPrefix?: string;
}

export function matchesFilter(record: InstanceRecord, filter: InstanceFilter): boolean {
  return (
    (!filter.runtimeStatus?.length || filter.runtimeStatus.includes(record.status)) &&
    (filter.createdTimeFrom === undefined || record.createdMs >= filter.createdTimeFrom) &&
    (filter.createdTimeTo === undefined || record.createdMs <= filter.createdTimeTo) &&
    (!filter.instanceIdPrefix || record.instanceId.startsWith(filter.instanceIdPrefix))
  );
}

/** Azure Storage refuses these in instance ids: '/', '\\', '#', '?' and control characters. */
export function isValidInstanceId(id: string): boolean {
  for (const ch of id) {
    const code = ch.charCodeAt(0);
    if ("/\\#?".includes(ch) || code < 0x20 || (code >= 0x7f && code <= 0x9f)) return false;
  }
  return true;
}
