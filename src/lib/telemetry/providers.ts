// Where the telemetry facade sends: Azure Monitor when APPLICATIONINSIGHTS_CONNECTION_STRING is set, providers a test hands in, or nowhere.
import type { MeterProvider, TracerProvider } from "@opentelemetry/api";
import type { LoggerProvider } from "@opentelemetry/api-logs";
import { readTelemetryConnectionString } from "../settings/telemetrySetting";
import { RedactingLogRecordProcessor, RedactingSpanProcessor } from "./redaction";

export { TELEMETRY_CONNECTION_SETTING as CONNECTION_STRING_SETTING } from "../settings/telemetrySetting";

/** The three OpenTelemetry providers the facade draws its meter, logger and tracer from. */
export interface TelemetryProviders {
  meterProvider: MeterProvider;
  loggerProvider: LoggerProvider;
  tracerProvider: TracerProvider;
}

interface TelemetrySlot {
  providers?: TelemetryProviders;
  /** Bumped on every change, so a facade built for older providers is rebuilt. */
  generation: number;
  isAzureMonitorStarted: boolean;
}

/**
 * Process-wide, like OpenTelemetry's own globals: a Functions worker (and the sandbox host, which reloads the
 * app's modules on every start) may load this module more than once, and every copy must send to the same place.
 */
const SLOT_KEY = Symbol.for("cmk-rotator.telemetry");

export function telemetrySlot(): TelemetrySlot {
  const holder = globalThis as { [SLOT_KEY]?: TelemetrySlot };
  holder[SLOT_KEY] ??= { generation: 0, isAzureMonitorStarted: false };
  return holder[SLOT_KEY];
}

/**
 * Sends the app's telemetry to `providers` (tests: SDK providers with in-memory exporters), or, with `undefined`,
 * nowhere again. Without a connection string this is the only way telemetry is turned on.
 */
export function useTelemetryProviders(providers: TelemetryProviders | undefined): void {
  const slot = telemetrySlot();
  slot.providers = providers;
  slot.generation += 1;
}

type AzureMonitorModule = typeof import("@azure/monitor-opentelemetry");
type FunctionsInstrumentationModule = typeof import("@azure/functions-opentelemetry-instrumentation");
type OpenTelemetryApi = typeof import("@opentelemetry/api");
type OpenTelemetryLogsApi = typeof import("@opentelemetry/api-logs");

/**
 * With APPLICATIONINSIGHTS_CONNECTION_STRING set, starts Azure Monitor (traces, metrics, logs; the Azure
 * Functions instrumentation) once per process and points the facade at it; true when it runs. Unset, it loads
 * nothing: the SDKs are required here and only here. Must run before `@azure/functions` is first required, so
 * the instrumentation can hook it: src/index.ts imports `./lib/telemetry/start` first.
 */
export function startTelemetry(connectionString = readTelemetryConnectionString()): boolean {
  const slot = telemetrySlot();
  if (!connectionString) return false;
  if (slot.isAzureMonitorStarted) return true;
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded on demand, synchronously: an import would load them for every app, and an await would let @azure/functions load before its instrumentation */
  const { useAzureMonitor } = require("@azure/monitor-opentelemetry") as AzureMonitorModule;
  const { AzureFunctionsInstrumentation } =
    require("@azure/functions-opentelemetry-instrumentation") as FunctionsInstrumentationModule;
  const { metrics, trace } = require("@opentelemetry/api") as OpenTelemetryApi;
  const { logs } = require("@opentelemetry/api-logs") as OpenTelemetryLogsApi;
  /* eslint-enable @typescript-eslint/no-require-imports */
  useAzureMonitor({
    azureMonitorExporterOptions: { connectionString },
    logRecordProcessors: [new RedactingLogRecordProcessor()],
    spanProcessors: [new RedactingSpanProcessor()],
  });
  // Enabled on construction, against the global providers useAzureMonitor has just set.
  new AzureFunctionsInstrumentation();
  slot.isAzureMonitorStarted = true;
  useTelemetryProviders({
    meterProvider: metrics.getMeterProvider(),
    loggerProvider: logs.getLoggerProvider(),
    tracerProvider: trace.getTracerProvider(),
  });
  return true;
}
