// Activity: compares a key's consumers with its binding and records a new or cleared drift once (audit and outcome event).
import { driftChanges, driftOf, type DriftItem } from "../../../lib/discovery";
import { getServices } from "../../../lib/services";
import { getTelemetry } from "../../../lib/telemetry";
import type { FoundConsumer, KeyDrift, SweepKey } from "../types";

export interface RecordDriftInput {
  key: SweepKey;
  /** Orchestration time of the sweep. */
  nowMs: number;
  /** What the sweep's Resource Graph snapshot found using the key; absent = ask Resource Graph now. */
  found?: FoundConsumer[];
}

const describe = (items: readonly DriftItem[]) =>
  items.map((item) => `${item.resourceId} is ${item.registration}: ${item.detail}`).join(" ");

/**
 * Reads every consumer (bound and discovered), then records and publishes only what changed since
 * the last sweep: DriftDetected for a consumer newly not as bound, DriftResolved for one that is
 * fine again. Running it twice finds nothing changed the second time. Needs what discovery needs,
 * Table Storage and (when configured) EventGrid Data Sender.
 */
export async function recordDrift(input: RecordDriftInput): Promise<KeyDrift> {
  const { bindings, discovery, drift, audit, notifications, allowList } = getServices();
  const { key, nowMs } = input;
  const binding = await bindings.get(key);
  const now = driftOf(await discovery.consumersOf(key, binding?.targets ?? [], input.found));
  const { detected, resolved } = driftChanges(await drift.get(key), now);
  const keyId = allowList.keyIdOf(key);
  const changes = [
    { status: "DriftDetected" as const, items: detected },
    { status: "DriftResolved" as const, items: resolved },
  ].filter((change) => change.items.length > 0);
  for (const { status, items } of changes) {
    const id = `drift.${nowMs}.${status}`;
    await audit.recordDecision({
      id: `${id}.${key.vaultName}.${key.keyName}`.toLowerCase(),
      kind: "drift",
      key,
      reason: status,
      detail: describe(items),
      source: "sweep",
      atMs: nowMs,
    });
    await notifications.publish({
      key,
      kind: "drift",
      record: {
        id: `${id}.${key.vaultName}.${key.keyName}`.toLowerCase(),
        status,
        keyId,
        consumers: items,
        at: new Date(nowMs).toISOString(),
      },
    });
  }
  await drift.put(key, now, nowMs);
  getTelemetry().driftMeasured({
    keyId,
    open: now.length,
    detected: detected.length,
    resolved: resolved.length,
    targets: [...detected, ...resolved].map((item) => item.resourceId),
  });
  return { key, open: now.length, detected: detected.length, resolved: resolved.length };
}
