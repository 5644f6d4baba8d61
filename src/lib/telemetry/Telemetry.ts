// The one meter and logger the app records its operations with: counters and a histogram for dashboards, a log line per event for Log Analytics.
import type { Counter, Gauge, Histogram, Span, Tracer } from "@opentelemetry/api";
import type { Logger } from "@opentelemetry/api-logs";
import type { KeyChangeTargetKind } from "../audit/types";
import { ATTR, guardAttributes, guardValue, type TelemetryAttributes } from "./attributes";
import { telemetrySlot, type TelemetryProviders } from "./providers";

export type OperationKind = "rotation" | "revocation" | "restore" | "keyChange";
export type LogLevel = "info" | "warn" | "error";

/** Who and what an event is about: one Log Analytics query on the operation id finds all of an operation. */
export interface OperationRef {
  operationId: string;
  /** The versionless key id `<vaultUrl>/keys/<name>`. */
  keyId: string;
}

export interface OperationFinished extends OperationRef {
  kind: OperationKind;
  /** The record's final status: Completed, PartiallyApplied, Failed, Skipped, Revoked, Restored, ... */
  outcome: string;
  trigger?: string;
  /** Rotation: from the trigger to every target verified (or the rotation ending without). */
  durationMs?: number;
  detail?: string;
}

export interface TargetChecked extends OperationRef {
  kind: OperationKind;
  /** The consumer's ARM resource id. */
  target: string;
  consumerKind: KeyChangeTargetKind;
  step: string;
  /** The target status the check ended with: Verified, Verifying, Pending, Failed, ActionRequired, ... */
  result: string;
  detail?: string;
}

export interface DriftMeasured {
  keyId: string;
  /** Consumers not as bound right now. */
  open: number;
  detected: number;
  resolved: number;
  /** The consumers that changed, for the log line. */
  targets: readonly string[];
}

export interface Throttled {
  service: string;
  statusCode: number;
  retryAfterMs?: number;
}

/** What the app records. Every method is synchronous and never throws: telemetry must not break an operation. */
export interface Telemetry {
  readonly isEnabled: boolean;
  operationFinished(event: OperationFinished): void;
  targetChecked(event: TargetChecked): void;
  driftMeasured(event: DriftMeasured): void;
  throttled(event: Throttled): void;
  log(level: LogLevel, message: string, attributes?: TelemetryAttributes): void;
  /** Runs `work` inside a span named `name` (traces: one per target attempt). */
  inSpan<T>(name: string, attributes: TelemetryAttributes, work: () => Promise<T>): Promise<T>;
}

export const METRIC = {
  operations: "cmk.operations",
  rotationDuration: "cmk.rotation.duration",
  targetVerifications: "cmk.target.verifications",
  driftOpen: "cmk.drift.open",
  driftChanges: "cmk.drift.changes",
  throttled: "cmk.throttled",
} as const;

const SCOPE = "cmk-rotator";
/** OpenTelemetry SeverityNumber values (INFO, WARN, ERROR), written out so api-logs need not load for them. */
const SEVERITY: Record<LogLevel, { number: number; text: string }> = {
  info: { number: 9, text: "INFO" },
  warn: { number: 13, text: "WARN" },
  error: { number: 17, text: "ERROR" },
};
const SPAN_STATUS_ERROR = 2;

const OUTCOMES_NEEDING_ATTENTION = new Set([
  "Failed",
  "PartiallyApplied",
  "PartiallyRevoked",
  "PartiallyRestored",
]);

interface Instruments {
  operations: Counter;
  rotationDuration: Histogram;
  targetVerifications: Counter;
  driftOpen: Gauge;
  driftChanges: Counter;
  throttled: Counter;
}

/**
 * Metrics carry only bounded attributes (kind, outcome, consumer kind, result, key id, service): an operation
 * id or a resource id per data point would grow a time series per rotation. Log lines and spans carry those.
 */
class OpenTelemetryTelemetry implements Telemetry {
  readonly isEnabled = true;
  private readonly instruments: Instruments;
  private readonly logger: Logger;
  private readonly tracer: Tracer;

  constructor(providers: TelemetryProviders) {
    const meter = providers.meterProvider.getMeter(SCOPE);
    this.logger = providers.loggerProvider.getLogger(SCOPE);
    this.tracer = providers.tracerProvider.getTracer(SCOPE);
    this.instruments = {
      operations: meter.createCounter(METRIC.operations, {
        description: "Rotations, revocations and restores that ended, by kind and outcome.",
      }),
      rotationDuration: meter.createHistogram(METRIC.rotationDuration, {
        description: "From a rotation's trigger to every target verified (or the rotation ending without).",
        unit: "s",
      }),
      targetVerifications: meter.createCounter(METRIC.targetVerifications, {
        description: "Checks of what a consumer uses, by consumer kind and result.",
      }),
      driftOpen: meter.createGauge(METRIC.driftOpen, {
        description: "Consumers of a key not as its binding says, at the last sweep.",
      }),
      driftChanges: meter.createCounter(METRIC.driftChanges, {
        description: "Consumers newly drifted (detected) or back as bound (resolved).",
      }),
      throttled: meter.createCounter(METRIC.throttled, {
        description: "Answers 429 (or 503) from a dependency, by service.",
      }),
    };
  }

  operationFinished(event: OperationFinished): void {
    const metricAttributes = guardAttributes({
      [ATTR.operationKind]: event.kind,
      [ATTR.outcome]: event.outcome,
      [ATTR.keyId]: event.keyId,
    });
    this.instruments.operations.add(1, metricAttributes);
    if (event.kind === "rotation" && event.durationMs !== undefined)
      this.instruments.rotationDuration.record(event.durationMs / 1000, metricAttributes);
    this.log(
      OUTCOMES_NEEDING_ATTENTION.has(event.outcome) ? "warn" : "info",
      `${event.kind} ${event.operationId} of ${event.keyId} ended ${event.outcome}${event.detail ? `: ${event.detail}` : ""}`,
      {
        [ATTR.operationId]: event.operationId,
        [ATTR.operationKind]: event.kind,
        [ATTR.outcome]: event.outcome,
        [ATTR.keyId]: event.keyId,
        [ATTR.trigger]: event.trigger,
        "cmk.duration_ms": event.durationMs,
      },
    );
  }

  targetChecked(event: TargetChecked): void {
    this.instruments.targetVerifications.add(
      1,
      guardAttributes({
        [ATTR.operationKind]: event.kind,
        [ATTR.consumerKind]: event.consumerKind,
        [ATTR.result]: event.result,
        [ATTR.keyId]: event.keyId,
      }),
    );
    this.log(
      event.result === "Failed" ? "warn" : "info",
      `${event.kind} ${event.operationId}: ${event.step} ${event.target} is ${event.result}${event.detail ? `: ${event.detail}` : ""}`,
      {
        [ATTR.operationId]: event.operationId,
        [ATTR.operationKind]: event.kind,
        [ATTR.keyId]: event.keyId,
        [ATTR.target]: event.target,
        [ATTR.consumerKind]: event.consumerKind,
        [ATTR.step]: event.step,
        [ATTR.result]: event.result,
      },
    );
  }

  driftMeasured(event: DriftMeasured): void {
    const keyAttributes = guardAttributes({ [ATTR.keyId]: event.keyId });
    this.instruments.driftOpen.record(event.open, keyAttributes);
    if (event.detected > 0)
      this.instruments.driftChanges.add(event.detected, { ...keyAttributes, [ATTR.driftChange]: "detected" });
    if (event.resolved > 0)
      this.instruments.driftChanges.add(event.resolved, { ...keyAttributes, [ATTR.driftChange]: "resolved" });
    if (event.detected + event.resolved === 0) return;
    this.log(
      event.detected > 0 ? "warn" : "info",
      `drift of ${event.keyId}: ${event.detected} detected, ${event.resolved} resolved, ${event.open} open (${event.targets.join(", ")})`,
      { [ATTR.keyId]: event.keyId, "cmk.drift.open": event.open },
    );
  }

  throttled(event: Throttled): void {
    this.instruments.throttled.add(
      1,
      guardAttributes({ [ATTR.service]: event.service, [ATTR.statusCode]: event.statusCode }),
    );
  }

  log(level: LogLevel, message: string, attributes: TelemetryAttributes = {}): void {
    const severity = SEVERITY[level];
    this.logger.emit({
      severityNumber: severity.number,
      severityText: severity.text,
      body: guardValue(message),
      attributes: guardAttributes(attributes),
    });
  }

  async inSpan<T>(name: string, attributes: TelemetryAttributes, work: () => Promise<T>): Promise<T> {
    const span: Span = this.tracer.startSpan(name, { attributes: guardAttributes(attributes) });
    try {
      return await work();
    } catch (error) {
      span.setStatus({ code: SPAN_STATUS_ERROR });
      throw error;
    } finally {
      span.end();
    }
  }
}

/** Records nothing and loads nothing: the app without a connection string (and without test providers). */
const NO_TELEMETRY: Telemetry = {
  isEnabled: false,
  operationFinished: () => undefined,
  targetChecked: () => undefined,
  driftMeasured: () => undefined,
  throttled: () => undefined,
  log: () => undefined,
  inSpan: (_name, _attributes, work) => work(),
};

/** Never lets a telemetry failure reach the operation that recorded it. */
function neverThrowing(inner: Telemetry): Telemetry {
  const guard =
    <A extends unknown[]>(record: (...args: A) => void) =>
    (...args: A): void => {
      try {
        record(...args);
      } catch {
        // Deliberately dropped: an exporter or SDK failure must not fail a rotation or a revocation.
      }
    };
  return {
    isEnabled: inner.isEnabled,
    operationFinished: guard((event: OperationFinished) => inner.operationFinished(event)),
    targetChecked: guard((event: TargetChecked) => inner.targetChecked(event)),
    driftMeasured: guard((event: DriftMeasured) => inner.driftMeasured(event)),
    throttled: guard((event: Throttled) => inner.throttled(event)),
    log: guard((level: LogLevel, message: string, attributes?: TelemetryAttributes) =>
      inner.log(level, message, attributes),
    ),
    inSpan: (name, attributes, work) => inner.inSpan(name, attributes, work),
  };
}

let built: { generation: number; telemetry: Telemetry } | undefined;

/** The app's telemetry as currently configured (Azure Monitor, a test's providers, or nothing). */
export function getTelemetry(): Telemetry {
  const slot = telemetrySlot();
  if (built?.generation !== slot.generation) {
    built = {
      generation: slot.generation,
      telemetry: slot.providers ? neverThrowing(new OpenTelemetryTelemetry(slot.providers)) : NO_TELEMETRY,
    };
  }
  return built.telemetry;
}
