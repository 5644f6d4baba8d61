// Processors that pass what instrumentation records (function logs, HTTP and Azure SDK spans) through the secret guard before export.
import type { Context } from "@opentelemetry/api";
import type { LogRecordProcessor, SdkLogRecord } from "@opentelemetry/sdk-logs";
import type { ReadableSpan, Span, SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { guardValue, redactedCopy } from "./attributes";

/** Rewrites an attribute map through the secret guard in place: guarded values replace, dropped names go. */
function redactInPlace(attributes: Parameters<typeof redactedCopy>[0]): void {
  const map = attributes as Record<string, unknown>;
  const guarded = redactedCopy(attributes);
  for (const name of Object.keys(map)) {
    if (!(name in guarded)) delete map[name];
    else map[name] = guarded[name];
  }
}

/**
 * Masks a log record's body and drops or masks its secret attributes while it can still change: processors
 * see a record before it is made read-only, and exporters read it only after every processor ran.
 */
export class RedactingLogRecordProcessor implements LogRecordProcessor {
  onEmit(logRecord: SdkLogRecord, _context?: Context): void {
    if (logRecord.body !== undefined) logRecord.setBody(guardValue(logRecord.body));
    // A log record's attributes cannot be unset through the API: its own map is rewritten in place.
    redactInPlace(logRecord.attributes as Record<string, never>);
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * Guards a span's attributes when it ends. An ended span refuses setAttribute, so its attribute map is
 * rewritten in place; batch exporters read it later, after every processor's onEnd.
 */
export class RedactingSpanProcessor implements SpanProcessor {
  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    redactInPlace(span.attributes);
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
