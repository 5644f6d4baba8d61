// Registered targets and discovered consumers side by side: the registration of each (no I/O).
import type { BindingMode } from "../bindings/types";
import { referenceUsesKey } from "../consumers/referenceUsesKey";
import type { ConsumerReference } from "../consumers/types";
import type { KeyIdentity } from "../keys/types";
import type { BoundTargetRead, ConsumerRow, FoundConsumer } from "./types";

/** pinned when the configuration names a version, versionless when it follows the newest. */
export function modeOfReference(reference: ConsumerReference): BindingMode {
  return reference.configuredVersion ? "pinned" : "versionless";
}

function versionsOf(reference: ConsumerReference): Pick<ConsumerRow, "versionInUse" | "configuredVersion"> {
  const versionInUse = reference.versionInUse ?? reference.configuredVersion;
  return {
    ...(versionInUse ? { versionInUse } : {}),
    ...(reference.configuredVersion ? { configuredVersion: reference.configuredVersion } : {}),
  };
}

function describeMode(reference: ConsumerReference): string {
  return reference.configuredVersion
    ? `pinned to version ${reference.configuredVersion}`
    : "versionless (it follows the newest version)";
}

const sameId = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * One row per bound target and per discovered consumer that is not bound, ordered by resource id.
 * ARM's answer about a bound target is what counts: a bound resource Resource Graph has not listed
 * yet (it is near-real-time) but that ARM shows using the key is Registered.
 */
export function classifyConsumers(
  key: KeyIdentity,
  vaultUrl: string,
  bound: readonly BoundTargetRead[],
  found: readonly FoundConsumer[],
): ConsumerRow[] {
  const keyPath = `${key.vaultName}/${key.keyName}`;
  const rows: ConsumerRow[] = bound.map((read): ConsumerRow => {
    const { target } = read;
    const base = { resourceId: target.resourceId, kind: target.kind, mode: target.mode };
    if ("gone" in read) {
      return {
        ...base,
        registration: "Missing",
        detail: `Bound, but no longer uses ${keyPath}: ${read.gone} Remove it from the binding or fix the resource.`,
      };
    }
    const { reference } = read;
    if (!referenceUsesKey(reference, key, vaultUrl)) {
      return {
        ...base,
        ...versionsOf(reference),
        registration: "Mismatch",
        detail: `Bound to ${keyPath}, but it uses key ${reference.keyName} in ${reference.vaultUrl ?? reference.vaultName ?? "another vault"}: fix the binding or the resource.`,
      };
    }
    if (modeOfReference(reference) !== target.mode) {
      return {
        ...base,
        ...versionsOf(reference),
        registration: "Mismatch",
        detail: `Bound as ${target.mode}, but it is ${describeMode(reference)}: bind it as ${modeOfReference(reference)} or change the resource.`,
      };
    }
    const listed = found.some((consumer) => sameId(consumer.resourceId, target.resourceId));
    return {
      ...base,
      ...versionsOf(reference),
      registration: "Registered",
      detail: `Bound and uses ${keyPath}, ${describeMode(reference)}.${listed ? "" : " Resource Graph has not listed it yet; ARM confirms it."}`,
    };
  });
  for (const consumer of found) {
    if (bound.some((read) => sameId(read.target.resourceId, consumer.resourceId))) continue;
    rows.push({
      resourceId: consumer.resourceId,
      kind: consumer.kind,
      mode: consumer.mode,
      ...versionsOf(consumer.reference),
      registration: "Unregistered",
      detail: `Uses ${keyPath}, ${describeMode(consumer.reference)}, but is not in the binding: register it (cmk-rotator discover ${keyPath} --register) so rotations update it.`,
    });
  }
  return rows.sort((a, b) => (a.resourceId.toLowerCase() < b.resourceId.toLowerCase() ? -1 : 1));
}

/** Every version a consumer row pins or uses (retirement keeps each enabled). */
export function versionsHeldBy(rows: readonly ConsumerRow[]): Map<string, string> {
  const held = new Map<string, string>();
  for (const row of rows) {
    if (row.registration === "Missing") continue;
    for (const version of [row.configuredVersion, row.versionInUse]) {
      if (version && !held.has(version)) held.set(version, row.resourceId);
    }
  }
  return held;
}
