// Human-readable renderings of the API's answers (rotations, revocations, history, bindings); --json bypasses them.
import { renderTable } from "./table";

export type Json = Record<string, unknown>;

export function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function text(value: unknown, fallback = "-"): string {
  if (value === undefined || value === null || value === "") return fallback;
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** The last segment of an ARM id or key id: enough to recognise it in a table. */
export function shortName(id: unknown): string {
  const value = text(id);
  const segments = value.split("/").filter((segment) => segment !== "");
  return segments.length > 0 ? segments[segments.length - 1] : value;
}

/** Key versions are 32 hex characters; 12 are enough to tell them apart in a table. */
function shortVersion(version: unknown): string {
  const value = shortName(version);
  return value.length > 12 ? value.slice(0, 12) : value;
}

/** A JSON array, or an ARM-style `{value: [...]}`, as its object items. */
export function listOf(value: unknown): Json[] {
  if (Array.isArray(value)) return value.filter(isRecord);
  if (isRecord(value) && Array.isArray(value.value)) return value.value.filter(isRecord);
  return [];
}

/** Renders `GET /api/rotations/{id}` (and history records, which share its shape). */
/** A record's targets as an indented table under "  targets" (nothing when it has none); `withMode` adds a mode column. */
export function targetLines(record: Json, withMode = false): string[] {
  const targets = listOf(record.targets);
  if (targets.length === 0) return [];
  const table = renderTable(
    ["status", "kind", ...(withMode ? ["mode"] : []), "resource", "detail"],
    targets.map((target) => [
      text(target.status),
      text(target.kind),
      ...(withMode ? [text(target.mode)] : []),
      shortName(target.resourceId),
      text(target.detail, ""),
    ]),
  );
  return ["  targets", ...table.split("\n").map((line) => `    ${line}`)];
}

export function renderRotation(record: unknown): string {
  if (!isRecord(record)) return text(record);
  const lines = [
    `rotation ${text(record.id)}  ${text(record.status)}`,
    `  key        ${text(record.keyId)}`,
    `  trigger    ${text(record.trigger)}   reason: ${text(record.reason)}`,
    `  versions   ${text(record.previousVersion)} -> ${text(record.newVersion)}`,
    `  started    ${text(record.startedAt)}   finished: ${text(record.finishedAt)}`,
  ];
  lines.push(...targetLines(record, true));
  return lines.join("\n");
}

/** Renders a dry-run plan: whatever the server planned, one line per field. */
export function renderPlan(plan: unknown): string {
  if (!isRecord(plan)) return text(plan);
  const lines = ["dry run: nothing was changed"];
  for (const [field, value] of Object.entries(plan)) {
    if (Array.isArray(value)) {
      lines.push(`  ${field}:`);
      for (const item of value) {
        lines.push(
          `    - ${
            isRecord(item)
              ? Object.entries(item)
                  .map(([k, v]) => `${k}=${text(v)}`)
                  .join(" ")
              : text(item)
          }`,
        );
      }
    } else {
      lines.push(`  ${field}: ${text(value)}`);
    }
  }
  return lines.join("\n");
}

/** Renders `GET /api/revocations/{id}`: its state and each version it touched. */
export function renderRevocation(record: unknown): string {
  if (!isRecord(record)) return text(record);
  const lines = [
    `revocation ${text(record.id)}  ${text(record.status ?? record.state)}`,
    `  key        ${text(record.keyId)}`,
    `  reason     ${text(record.reason)}`,
    `  started    ${text(record.startedAt)}   finished: ${text(record.finishedAt)}`,
  ];
  if (typeof record.interruptedRotationId === "string") {
    lines.push(`  stopped    rotation ${record.interruptedRotationId}`);
  }
  const versions = listOf(record.versions);
  if (versions.length > 0) {
    lines.push(`  versions (${versions.length})`);
    const table = renderTable(
      ["version", "state", "when"],
      versions.map((version) => {
        const [state, when] = versionState(version);
        return [text(version.version ?? version.id), state, when];
      }),
    );
    lines.push(...table.split("\n").map((line) => `    ${line}`));
  }
  const environments = listOf(record.environments);
  if (environments.length > 0) {
    lines.push(
      `  environments ${environments.map((environment) => `${text(environment.displayName ?? environment.id)}: ${text(environment.state)}`).join(", ")}`,
    );
  }
  lines.push(...targetLines(record));
  return lines.join("\n");
}

/** What a revocation did to one version: disabled, restored, or left alone because it was already disabled. */
function versionState(version: Json): [string, string] {
  if (typeof version.status === "string" || typeof version.state === "string") {
    return [text(version.status ?? version.state), text(version.detail, "")];
  }
  if (version.restoredAt) return ["re-enabled", text(version.restoredAt)];
  if (version.disabledAt) return ["disabled", text(version.disabledAt)];
  if (version.wasEnabled === false) return ["already disabled, untouched", ""];
  return ["-", ""];
}

/** Renders `GET /api/keys/{vault}/{key}/history`: one row per record, newest first. */
export function renderHistory(response: unknown): string {
  const records = listOf(response);
  if (records.length === 0) return "no history for this key";
  return renderTable(
    ["started", "kind", "status", "trigger", "versions", "targets", "id"],
    records.map((record) => {
      const targets = listOf(record.targets);
      const done = targets.filter((target) =>
        /^(Verified|Completed|Succeeded|Applied|Ok)$/i.test(text(target.status)),
      );
      return [
        text(record.startedAt),
        text(record.kind, "rotation"),
        text(record.status),
        text(record.trigger),
        record.previousVersion || record.newVersion
          ? `${shortVersion(record.previousVersion)} -> ${shortVersion(record.newVersion)}`
          : "-",
        targets.length > 0 ? `${done.length}/${targets.length}` : "-",
        text(record.id),
      ];
    }),
  );
}

/** Renders one key's bindings (`GET /api/bindings/{vault}/{key}`). */
export function renderBinding(binding: unknown): string {
  if (!isRecord(binding)) return text(binding);
  const name =
    binding.vaultName !== undefined
      ? `${text(binding.vaultName)}/${text(binding.keyName)}`
      : text(binding.keyId);
  const lines = [`bindings of ${name}`];
  const policy = isRecord(binding.policy) ? binding.policy : undefined;
  if (policy && Object.keys(policy).length > 0) {
    lines.push(
      `  policy     ${Object.entries(policy)
        .map(([field, value]) => `${field}=${text(value)}`)
        .join(" ")}`,
    );
  }
  const targets = listOf(binding.targets);
  lines.push(
    ...renderTable(
      ["kind", "mode", "resourceId"],
      targets.map((target) => [text(target.kind), text(target.mode), text(target.resourceId)]),
    )
      .split("\n")
      .map((line) => `  ${line}`),
  );
  return lines.join("\n");
}

/** Renders `GET /api/bindings`: one row per key. */
export function renderBindingList(response: unknown): string {
  const bindings = listOf(response);
  if (bindings.length === 0) return "no bindings registered";
  return renderTable(
    ["key", "targets", "policy"],
    bindings.map((binding) => {
      const policy = isRecord(binding.policy) ? binding.policy : {};
      const targets = listOf(binding.targets);
      return [
        binding.vaultName !== undefined
          ? `${text(binding.vaultName)}/${text(binding.keyName)}`
          : text(binding.keyId),
        targets
          .map((target) => `${text(target.kind)}:${text(target.mode)}:${shortName(target.resourceId)}`)
          .join(", "),
        Object.entries(policy)
          .map(([field, value]) => `${field}=${text(value)}`)
          .join(" ") || "-",
      ];
    }),
  );
}

/** Renders the rows of `GET /api/keys/{vault}/{key}/consumers`: one line per consumer, registration first. */
export function renderConsumerTable(rows: unknown): string {
  return renderTable(
    ["registration", "kind", "mode", "version", "resource", "detail"],
    listOf(rows).map((row) => [
      text(row.registration),
      text(row.kind),
      text(row.mode),
      text(row.versionInUse, "-"),
      text(row.resourceId),
      text(row.detail),
    ]),
  );
}
