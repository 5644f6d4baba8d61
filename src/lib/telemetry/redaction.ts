// Processors that pass what instrumentation records (function logs, HTTP and Azure SDK spans) through the secret guard before export.
import type { Context } from "@opentelemetry/api";
import type { LogRecordProcessor, SdkLogRecord } from "@opentelemetry/sdk-logs";
import type { ReadableSpan, Span, SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { guardValue, redactedCopy } from "./attributes";

/**
 * Masks a log record's body and drops or masks its secret attributes while it can still change: processors
 * see a record before it is made read-only, and exporters read it only after every processor ran.
 */
export class RedactingLogRecordProcessor implements LogRecordProcessor {
  onEmit(logRecord: SdkLogRecord, _context?: Context): void {
    if (logRecord.body !== undefined) logRecord.setBody(guardValue(logRecord.body));
    const attributes = logRecord.attributes as Record<string, unknown>;
    const guarded = redactedCopy(logRecord.attributes as Record<string, never>);
    for (const name of Object.keys(attributes)) {
      // An ended attribute cannot be unset through the API: a dropped one is deleted from the record's own map.
      if (!(name in guarded)) delete attributes[name];
      else attributes[name] = guarded[name];
    }
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
    const attributes = span.attributes as Record<string, unknown>;
    const guarded = redactedCopy(span.attributes);
    for (const name of Object.keys(attributes)) {
      if (!(name in guarded)) delete attributes[name];
      else attributes[name] = guarded[name];
    }
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
