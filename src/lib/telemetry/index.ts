// Entry point of telemetry: the facade the app records with, and how it is pointed at Azure Monitor or a test's providers.
export { ATTR, guardAttributes, type TelemetryAttributes } from "./attributes";
export { RedactingLogRecordProcessor, RedactingSpanProcessor } from "./redaction";
export {
  CONNECTION_STRING_SETTING,
  startTelemetry,
  useTelemetryProviders,
  type TelemetryProviders,
} from "./providers";
export {
  METRIC,
  getTelemetry,
  type DriftMeasured,
  type LogLevel,
  type OperationFinished,
  type OperationKind,
  type OperationRef,
  type TargetChecked,
  type Telemetry,
  type Throttled,
} from "./Telemetry";
