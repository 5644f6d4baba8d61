// Entry point of the local Azure Functions + Durable host.
export { startLocalHost, type LocalHost, type LocalHostOptions } from "./startLocalHost";
export { captureApp } from "./worker/loadApp";
export type { AppRegistrations } from "./worker/coreApi";
export type { FunctionInfo, TriggerKind, AuthLevel } from "./worker/functionCatalog";
export type { AtLeastOnceMode } from "./durable/activityRunner";
export { createDurableStore, DurableStore, type RuntimeStatus } from "./durable/instanceStore";
export type { OrchestrationStatus } from "./durable/statusPayload";
export { HistoryEventType, historyEvent, type HistoryEvent } from "./durable/historyEvents";
export type { HostLogEntry, HostLogger } from "./hostLog";
