// End to end through the local host with in-memory exporters: what one rotation, one revocation and one failure send, and that no secret is among it.
import { metrics as metricsApi } from "@opentelemetry/api";
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from "@opentelemetry/sdk-logs";
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type ResourceMetrics,
} from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ATTR,
  METRIC,
  RedactingLogRecordProcessor,
  RedactingSpanProcessor,
  useTelemetryProviders,
} from "../../../src/lib/telemetry";
import { E2E_REVOCATION_SECRET } from "../../support/e2eStack";
import { startRevocationStack, type RevocationStack } from "../../support/revocationStack";
import { waitForRotation } from "../rotation/seedEstate";
import { seedRevocationKey } from "../revocation/seedRevocationEstate";

const spans = new InMemorySpanExporter();
const logs = new InMemoryLogRecordExporter();
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({
  exporter: metricExporter,
  exportIntervalMillis: 3_600_000,
});
const meterProvider = new MeterProvider({ readers: [reader] });
let stack: RevocationStack;

beforeAll(async () => {
  useTelemetryProviders({
    meterProvider,
    loggerProvider: new LoggerProvider({
      processors: [new RedactingLogRecordProcessor(), new SimpleLogRecordProcessor({ exporter: logs })],
    }),
    tracerProvider: new BasicTracerProvider({
      spanProcessors: [new RedactingSpanProcessor(), new SimpleSpanProcessor(spans)],
    }),
  });
  stack = await startRevocationStack();
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  useTelemetryProviders(undefined);
  metricsApi.disable();
});

interface Point {
  name: string;
  attributes: Record<string, unknown>;
  value: unknown;
}

async function metricPoints(): Promise<Point[]> {
  await reader.forceFlush();
  const batches: ResourceMetrics[] = metricExporter.getMetrics();
  const latest = batches[batches.length - 1];
  return (latest?.scopeMetrics ?? []).flatMap((scope) =>
    scope.metrics.flatMap((metric) =>
      metric.dataPoints.map((point) => ({
        name: metric.descriptor.name,
        attributes: point.attributes,
        value: point.value,
      })),
    ),
  );
}

const logsOf = (operationId: string) =>
  logs.getFinishedLogRecords().filter((record) => record.attributes[ATTR.operationId] === operationId);

async function rotate(keyId: string): Promise<string> {
  const response = await stack.call("/api/rotations", {
    method: "POST",
    body: JSON.stringify({ keyId, reason: "telemetry e2e" }),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { id: string }).id;
}

describe("telemetry", () => {
  let rotatedKeyId = "";
  let rotationId = "";
  let storageId = "";

  it("sends one rotation's outcome, duration and target verifications, each line with its operation, key and target", async () => {
    const key = await seedRevocationKey(stack, { keyName: "cmk-tel", storageName: "sttelpinned" });
    rotatedKeyId = key.keyId;
    rotationId = await rotate(key.keyId);
    const record = await waitForRotation(stack.base, rotationId);
    expect(record.status).toBe("Completed");
    storageId = record.targets[0].resourceId;

    const points = await metricPoints();
    expect(points).toContainEqual(
      expect.objectContaining({
        name: METRIC.operations,
        attributes: {
          [ATTR.operationKind]: "rotation",
          [ATTR.outcome]: "Completed",
          [ATTR.keyId]: key.keyId,
        },
        value: 1,
      }),
    );
    const duration = points.find(
      (point) => point.name === METRIC.rotationDuration && point.attributes[ATTR.keyId] === key.keyId,
    );
    expect(duration?.value).toMatchObject({ count: 1 });
    expect(points).toContainEqual(
      expect.objectContaining({
        name: METRIC.targetVerifications,
        attributes: {
          [ATTR.operationKind]: "rotation",
          [ATTR.consumerKind]: "storageAccount",
          [ATTR.result]: "Verified",
          [ATTR.keyId]: key.keyId,
        },
      }),
    );
    const lines = logsOf(rotationId);
    expect(lines.every((line) => line.attributes[ATTR.keyId] === key.keyId)).toBe(true);
    expect(lines.map((line) => [line.attributes[ATTR.step], line.attributes[ATTR.result]])).toEqual(
      expect.arrayContaining([
        ["apply", "Applied"],
        ["verify", "Verified"],
      ]),
    );
    expect(lines.filter((line) => line.attributes[ATTR.target] === storageId).length).toBeGreaterThanOrEqual(
      2,
    );
    expect(lines.find((line) => line.attributes[ATTR.outcome] === "Completed")?.body).toContain(rotationId);
    const targetSpans = spans
      .getFinishedSpans()
      .filter((span) => span.attributes[ATTR.operationId] === rotationId);
    expect(targetSpans.map((span) => span.name)).toContain("cmk.target.propagate");
    expect(targetSpans[0].attributes[ATTR.target]).toBe(storageId);
  });

  it("sends one revocation's outcome and each consumer's check", async () => {
    const { id } = await stack.revoke(rotatedKeyId, "INC-telemetry");
    const revoked = await stack.waitForRevocation(id!, (record) => record.finishedAt !== null);
    expect(revoked.status).toBe("Revoked");
    const points = await metricPoints();
    expect(points).toContainEqual(
      expect.objectContaining({
        name: METRIC.operations,
        attributes: {
          [ATTR.operationKind]: "revocation",
          [ATTR.outcome]: "Revoked",
          [ATTR.keyId]: rotatedKeyId,
        },
        value: 1,
      }),
    );
    const lines = logsOf(id!);
    expect(lines.every((line) => line.attributes[ATTR.keyId] === rotatedKeyId)).toBe(true);
    expect(
      lines.some(
        (line) =>
          line.attributes[ATTR.step] === "checkAccess" &&
          line.attributes[ATTR.target] === storageId &&
          line.attributes[ATTR.result] === revoked.targets[0].status,
      ),
    ).toBe(true);
    expect(lines.some((line) => line.attributes[ATTR.outcome] === "Revoked")).toBe(true);
  });

  it("sends a failed target as a failed verification and the rotation's outcome as a warning", async () => {
    const key = await seedRevocationKey(stack, { keyName: "cmk-telfail", storageName: "sttelfail" });
    stack.base.arm.setFaults({ errorRate: 1, statuses: [403] });
    let id: string;
    let status: string;
    try {
      id = await rotate(key.keyId);
      status = (await waitForRotation(stack.base, id)).status;
    } finally {
      stack.base.arm.clearFaults();
    }
    expect(["Failed", "PartiallyApplied"]).toContain(status);
    const points = await metricPoints();
    expect(points).toContainEqual(
      expect.objectContaining({
        name: METRIC.operations,
        attributes: { [ATTR.operationKind]: "rotation", [ATTR.outcome]: status, [ATTR.keyId]: key.keyId },
      }),
    );
    const outcome = logsOf(id).find((line) => line.attributes[ATTR.outcome] === status);
    expect(outcome?.severityText).toBe("WARN");
    expect(logsOf(id).some((line) => line.attributes[ATTR.result] === "Failed")).toBe(true);
  });

  it("exports no secret: revocation secret, function keys, account keys, bearer tokens", async () => {
    const exported = JSON.stringify({
      spans: spans.getFinishedSpans().map((span) => ({ name: span.name, attributes: span.attributes })),
      logs: logs
        .getFinishedLogRecords()
        .map((record) => ({ body: record.body, attributes: record.attributes })),
      metrics: await metricPoints(),
    });
    expect(exported.length).toBeGreaterThan(1000);
    const secrets = [E2E_REVOCATION_SECRET, stack.host().functionKey];
    const accountKey = /AccountKey=([^;]+)/.exec(stack.base.azurite.connectionString)?.[1];
    if (accountKey) secrets.push(accountKey);
    for (const secret of secrets) expect(exported).not.toContain(secret);
    expect(exported).not.toMatch(/eyJ[\w-]{5,}\.[\w-]{5,}/);
    expect(exported).not.toMatch(/Bearer\s+\S/i);
    expect(exported).not.toMatch(/sha256=[0-9a-f]{64}/i);
  });
});
