// Entry point of sweep summaries: the record shape and its Table Storage store.
export type { SweepRecord, SweepStatus, SweepStore } from "./types";
export { createTableSweepStore } from "./tableSweepStore";
