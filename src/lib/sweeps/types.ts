// Public types of sweep summaries: the record `GET /api/sweeps/{id}` answers once a sweep has ended.

export type SweepStatus = "Running" | "Completed" | "PartiallyApplied" | "Failed";

/** Exactly what `GET /api/sweeps/{id}` returns (ISO instants; keys as versionless key ids). */
export interface SweepRecord {
  id: string;
  status: SweepStatus;
  reason: string;
  /** Schedule or Http. */
  trigger: string;
  vaultName: string | null;
  force: boolean;
  /** Keys by their state in the sweep: Pending, Waiting, Started, Busy, Unchanged, Failed. */
  counts: Record<string, number>;
  /** Keys not settled yet (not assessed, or due and waiting for their start window). */
  waiting: string[];
  failed: { keyId: string; detail: string }[];
  startedAt: string;
  finishedAt: string | null;
}

/** Sweep summaries in Table Storage (the audit table). Needs Storage Table Data Contributor. */
export interface SweepStore {
  /** Creates or replaces the summary of a sweep: safe to write twice. */
  put(record: SweepRecord): Promise<void>;
  get(id: string): Promise<SweepRecord | undefined>;
}
