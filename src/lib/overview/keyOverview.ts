// One key's part of the overview from the lib alone: versions, due date, consumers, drift, revocation, outcomes.
import type { HistoryEntry } from "../audit/types";
import { rotationDue } from "../bindings/dueDates";
import type { KeyBinding } from "../bindings/types";
import type { ConsumerRow } from "../discovery/types";
import type { KeyIdentity, KeyVersionInfo } from "../keys";
import type { Services } from "../services";
import { lockedEnvironmentsOf } from "./environmentDeletion";
import { readPart } from "./readPart";
import type {
  ConsumerView,
  KeyOverview,
  OutcomeView,
  OverviewProblem,
  RevocationInEffect,
  VersionView,
} from "./types";

/** How many history entries the page shows per key. */
export const RECENT_OUTCOMES = 8;

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

function toVersionView(version: KeyVersionInfo, currentVersion: string | undefined): VersionView {
  return {
    version: version.version,
    enabled: version.enabled,
    createdAt: new Date(version.createdOnMs).toISOString(),
    updatedAt: iso(version.updatedOnMs),
    expiresAt: iso(version.expiresOnMs),
    isCurrent: version.version === currentVersion,
  };
}

function toConsumerView(row: ConsumerRow): ConsumerView {
  return {
    resourceId: row.resourceId,
    kind: row.kind,
    mode: row.mode,
    versionInUse: row.versionInUse ?? null,
    registration: row.registration,
    detail: row.detail,
  };
}

function toOutcomeView(entry: HistoryEntry): OutcomeView {
  const isRotation = entry.kind === "rotation";
  return {
    kind: entry.kind,
    id: entry.id,
    status: entry.status,
    reason: entry.reason,
    trigger: isRotation ? entry.trigger : null,
    previousVersion: isRotation ? entry.previousVersion : null,
    newVersion: isRotation ? entry.newVersion : null,
    startedAt: entry.startedAt,
    finishedAt: entry.finishedAt,
    detail: entry.detail ?? null,
  };
}

/** Newest created first; Key Vault's one-second `created` resolution makes ties, broken by version id for a stable order. */
const newestFirst = (a: KeyVersionInfo, b: KeyVersionInfo) =>
  b.createdOnMs - a.createdOnMs || b.version.localeCompare(a.version);

async function revocationOf(
  services: Pick<Services, "fences" | "audit" | "allowList">,
  key: KeyIdentity,
): Promise<RevocationInEffect | null> {
  const fence = await services.fences.get(key);
  if (!fence) return null;
  const record = await services.audit.getRevocation(fence.revocationId);
  return {
    id: fence.revocationId,
    keyId: services.allowList.keyIdOf(key),
    status: record?.status ?? "Unknown",
    reason: record?.reason ?? "",
    raisedAt: new Date(fence.raisedAtMs).toISOString(),
    lockedEnvironments: record ? lockedEnvironmentsOf(record) : [],
  };
}

/**
 * Everything about one key except its running operations (those need the durable client).
 * Needs keys/list on the vault, read of the app's tables, and what discovery needs (Resource Graph, ARM read).
 */
export async function readKeyOverview(
  services: Pick<Services, "allowList" | "keyVault" | "discovery" | "drift" | "fences" | "audit">,
  key: KeyIdentity,
  binding: KeyBinding | undefined,
  nowMs: number,
): Promise<KeyOverview> {
  const problems: OverviewProblem[] = [];
  // Listing, not GET: a revoked key (every version disabled) still shows its versions.
  const [listed, rows, driftAtLastSweep, revocation, history] = await Promise.all([
    readPart("versions", problems, [] as KeyVersionInfo[], () =>
      services.keyVault.listVersionsUnordered(key),
    ),
    readPart("consumers", problems, [] as ConsumerRow[], () =>
      services.discovery.consumersOf(key, binding?.targets ?? []),
    ),
    readPart("drift", problems, [], () => services.drift.get(key)),
    readPart("revocation", problems, null, () => revocationOf(services, key)),
    readPart("history", problems, [] as HistoryEntry[], () =>
      services.audit.listHistory(key, { top: RECENT_OUTCOMES }),
    ),
  ]);
  const versions = [...listed].sort(newestFirst);
  const current = versions[0];
  const consumers = rows.map(toConsumerView);
  const due = binding && current ? rotationDue(binding.policy, current, nowMs) : undefined;
  return {
    vaultName: key.vaultName,
    keyName: key.keyName,
    keyId: services.allowList.keyIdOf(key),
    isBound: binding !== undefined,
    policy: binding?.policy ?? null,
    currentVersion: current?.version ?? null,
    currentAgeMs: current ? Math.max(0, nowMs - current.createdOnMs) : null,
    currentExpiresAt: iso(current?.expiresOnMs),
    nextRotation: due ? { dueAt: iso(due.dueAtMs), isDue: due.isDue, reason: due.reason ?? null } : null,
    versions: versions.map((version) => toVersionView(version, current?.version)),
    consumers,
    drift: consumers.filter((consumer) => consumer.registration !== "Registered"),
    driftAtLastSweep,
    running: [],
    revocation,
    recentOutcomes: history.map(toOutcomeView),
    problems,
  };
}
