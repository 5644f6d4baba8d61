// The checks after a chaos run, read back through the app's API, the official SDK clients and the Durable HTTP
// API: one count per violation class, and a line saying what each violation was.
import { TableClient } from "@azure/data-tables";
import { AUDIT_TABLE, createTableAuditLog, type HistoryEntry } from "../../../src/lib/audit";
import { rotationInstanceId } from "../../../src/lib/keys";
import { ROTATION_ID_TAG } from "../../../src/lib/keys/tags";
import type { E2eStack } from "../e2eStack";
import { attemptRowKey } from "./attemptsTakenIn";
import { getWithRetry, instanceStatus } from "./chaosCalls";
import type { ChaosDriver } from "./ChaosDriver";
import type { ChaosKey } from "./chaosEstate";
import type { TargetWatch } from "./TargetWatch";
import { mapWithConcurrency } from "../../../src/lib/revocations";

/** Each violation class, in the order the report prints them. */
export const VIOLATION_CLASSES = {
  notTerminal: "operations not in a terminal state",
  notOneHistoryEntry: "operations without exactly one history entry",
  orchestrationsNotDone: "rotation orchestrations failed or still running",
  notOneVersion: "rotations without exactly one key version of their own",
  unaccountedVersions: "key versions no rotation accounts for",
  targetsOnBadVersion: "targets on a disabled or missing version",
  targetsBehind: "targets not on the version the key's last rotation verified for them",
  disabledVersionsInUse: "disabled versions a target still uses",
  auditRowsLost: "target attempts missing from the audit log",
  startsNeverAccepted: "rotations asked for and never started",
  unexpectedAnswers: "answers outside the API contract",
} as const;

export type ViolationClass = keyof typeof VIOLATION_CLASSES;

export interface ChaosFindings {
  counts: Record<ViolationClass, number>;
  /** One line per violation (what and where), for the report. */
  details: string[];
  /** Distinct operation ids in the keys' histories. */
  operations: number;
  /** Rotations whose durable history was never seen (their audit rows were checked against their record only). */
  attemptsUnchecked: number;
  attemptRowsChecked: number;
  versionsCreated: number;
}

const TERMINAL = new Set(["Completed", "PartiallyApplied", "Failed", "Skipped"]);
/** A rotation that got this far has made its version. */
const MADE_A_VERSION = new Set(["Completed", "PartiallyApplied"]);

export async function checkChaos(
  stack: E2eStack,
  keys: readonly ChaosKey[],
  driver: ChaosDriver,
  targets: TargetWatch,
): Promise<ChaosFindings> {
  const counts = Object.fromEntries(Object.keys(VIOLATION_CLASSES).map((name) => [name, 0])) as Record<
    ViolationClass,
    number
  >;
  const details: string[] = [];
  const violation = (kind: ViolationClass, detail: string) => {
    counts[kind] += 1;
    details.push(`${kind}: ${detail}`);
  };
  const audit = createTableAuditLog(
    TableClient.fromConnectionString(stack.azurite.connectionString, AUDIT_TABLE, {
      allowInsecureConnection: true,
    }),
  );
  const operationIds = new Set<string>();
  let attemptsUnchecked = 0;
  let attemptRowsChecked = 0;
  let versionsCreated = 0;

  await targets.observe();
  await mapWithConcurrency(keys, 4, async (key) => {
    const history = await historyOf(stack, key);
    const entriesById = new Map<string, HistoryEntry[]>();
    for (const entry of history) entriesById.set(entry.id, [...(entriesById.get(entry.id) ?? []), entry]);
    for (const id of entriesById.keys()) operationIds.add(id);

    // Every operation the driver started, and every one the history holds: one entry each, terminal, same as GET by id.
    const driven = driver.operations
      .filter((operation) => operation.key === key)
      .map((operation) => operation.id);
    for (const id of new Set([...driven, ...entriesById.keys()])) {
      const entries = entriesById.get(id) ?? [];
      if (entries.length !== 1)
        violation("notOneHistoryEntry", `${id} has ${entries.length} history entries`);
      const byId = await getWithRetry(stack, `/api/rotations/${encodeURIComponent(id)}`);
      const status = byId.status === 200 ? (byId.body as { status: string }).status : `HTTP ${byId.status}`;
      if (!TERMINAL.has(status)) violation("notTerminal", `${id} (${key.keyName}) is ${status}`);
      else if (entries.length === 1 && entries[0].status !== status)
        violation("notOneHistoryEntry", `${id}: history says ${entries[0].status}, GET says ${status}`);
    }

    // The key's last instance must have ended well; earlier ones that failed were noted while they were there.
    const instance = await instanceStatus(stack, rotationInstanceId(key));
    const lastId = instance?.input?.rotationId;
    if (instance && instance.runtimeStatus !== "Completed" && instance.runtimeStatus !== "Terminated")
      violation("orchestrationsNotDone", `${lastId ?? key.keyName}'s instance is ${instance.runtimeStatus}`);
    for (const id of entriesById.keys()) {
      if (id !== lastId && driver.problems.failedOrchestrations.has(id))
        violation("orchestrationsNotDone", `${id}'s instance failed`);
    }

    // Exactly one version per rotation that made one, tagged with its id; nothing else but the seeded version.
    const versions = await targets.versionsOf(key);
    const taggedBy = new Map<string, string[]>();
    for (const state of versions) {
      const rotationId = state.tags[ROTATION_ID_TAG];
      if (rotationId === undefined) {
        if (state.version !== key.seededVersion)
          violation("unaccountedVersions", `${key.keyName}/${state.version} carries no rotation id`);
        continue;
      }
      versionsCreated += 1;
      taggedBy.set(rotationId, [...(taggedBy.get(rotationId) ?? []), state.version]);
      if (!entriesById.has(rotationId))
        violation(
          "unaccountedVersions",
          `${key.keyName}/${state.version} names rotation ${rotationId}, not in the history`,
        );
    }
    for (const [id, entries] of entriesById) {
      const entry = entries[0];
      if (entry.kind !== "rotation") continue;
      const own = taggedBy.get(id) ?? [];
      const expected = entry.newVersion ? 1 : 0;
      if (own.length !== expected || (entry.newVersion && own[0] !== entry.newVersion))
        violation(
          "notOneVersion",
          `${id} records version ${entry.newVersion ?? "none"}, tagged: [${own.join(", ")}]`,
        );
      else if (MADE_A_VERSION.has(entry.status) && !entry.newVersion)
        violation("notOneVersion", `${id} ended ${entry.status} without a version`);
    }

    // What the last rotation verified still holds: nothing moved a target off the key's current version since.
    const currentVersion = (await stack.operatorKeys(key.vaultName).getKey(key.keyName)).properties.version;
    const last = [...entriesById.values()]
      .map((entries) => entries[0])
      .find((entry) => entry.kind === "rotation" && entry.newVersion === currentVersion);
    const inUse = await targets.targetVersionsOf(key);
    for (const record of last?.targets ?? []) {
      if (record.status !== "Verified") continue;
      const seen = inUse.find(
        ({ target }) => target.resourceId.toLowerCase() === record.resourceId.toLowerCase(),
      );
      if (seen && seen.versions.some((version) => version !== currentVersion))
        violation(
          "targetsBehind",
          `${seen.target.name} on ${seen.versions.join("/")}, ${last?.id} verified ${currentVersion}`,
        );
    }

    // Every attempt the orchestration took in has its row; every target that got anywhere has at least one.
    for (const [id, entries] of entriesById) {
      const entry = entries[0];
      if (entry.kind !== "rotation") continue;
      const rows = await audit.listTargetAttempts(id);
      const rowStatus = new Map(rows.map((row) => [attemptRowKey(row), row.status]));
      const taken = driver.attemptsTaken.get(id);
      const didAttempt = entry.targets.some(
        (target) => target.status !== "Pending" && target.status !== "Skipped",
      );
      if (taken === undefined && didAttempt) attemptsUnchecked += 1;
      for (const attempt of taken ?? []) {
        attemptRowsChecked += 1;
        const stored = rowStatus.get(attemptRowKey(attempt));
        if (stored !== attempt.status)
          violation(
            "auditRowsLost",
            `${id} ${attempt.resourceId.split("/").pop()} ${attempt.step} #${attempt.attempt} ${attempt.status}: row ${stored ?? "missing"}`,
          );
      }
      for (const target of entry.targets) {
        if (target.status === "Pending" || target.status === "Skipped") continue;
        const hasRow = rows.some((row) => row.resourceId.toLowerCase() === target.resourceId.toLowerCase());
        if (!hasRow)
          violation(
            "auditRowsLost",
            `${id} ${target.resourceId.split("/").pop()} ended ${target.status} with no attempt row`,
          );
      }
    }
  });

  for (const line of targets.targetsOnBadVersion) violation("targetsOnBadVersion", line);
  for (const [version, users] of targets.disabledVersionsInUse)
    violation("disabledVersionsInUse", `${version} disabled while ${users} used it`);
  for (const start of driver.problems.startsNeverAccepted) violation("startsNeverAccepted", start);
  for (const answer of driver.problems.unexpectedAnswers) violation("unexpectedAnswers", answer);

  return {
    counts,
    details,
    operations: operationIds.size,
    attemptsUnchecked,
    attemptRowsChecked,
    versionsCreated,
  };
}

async function historyOf(stack: E2eStack, key: ChaosKey): Promise<HistoryEntry[]> {
  const answer = await getWithRetry(stack, `/api/keys/${key.vaultName}/${key.keyName}/history?top=100`);
  if (answer.status !== 200) throw new Error(`history of ${key.keyName}: ${answer.status}`);
  return (answer.body as { value: HistoryEntry[] }).value;
}
