// Entry point of the Table Storage helpers shared by bindings and audit.
export { encodeTableKey, decodeTableKey, invertedTime, fromInvertedTime } from "./tableKeys";
export { ensureTable } from "./ensureTable";
export { createTableOnceStore, ONCE_TABLE, type OnceStore } from "./onceStore";
export { createTableLeaseStore, type LeaseOutcome, type LeaseStore } from "./leaseStore";
