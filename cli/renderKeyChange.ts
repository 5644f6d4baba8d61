// Human-readable renderings of key changes: the dry-run plan, a preflight refusal, the record and its progress line.
import { isRecord, listOf, targetLines, text, type Json } from "./render";
import { renderTable } from "./table";

/**
 * The `az …` commands a finding or a record's detail asks an admin to run, each whole (a role name in quotes
 * included), so the operator can copy one line as it is. The server's message is printed in full as well.
 */
export function commandsIn(message: string): string[] {
  return [...message.matchAll(/\baz (?:role assignment create|keyvault [a-z-]+)\b[^;&()\n]*/g)].map((match) =>
    match[0].trim().replace(/\.$/, ""),
  );
}

function indented(lines: string[], by: string): string[] {
  return lines.map((line) => `${by}${line}`);
}

/** One finding: its code and resource, the server's message in full, then each command on a line of its own. */
function findingLines(finding: Json): string[] {
  const message = text(finding.message, "");
  const lines = [`${text(finding.code)}${finding.resourceId ? `  ${text(finding.resourceId)}` : ""}`];
  lines.push(message);
  const commands = commandsIn(message);
  if (commands.length > 0) lines.push("to fix, run:", ...indented(commands, "  "));
  return lines;
}

/** What a 409 PreflightFailed body says: every finding, nothing changed. */
export function renderPreflightRefusal(body: unknown): string {
  const findings = isRecord(body) ? listOf(body.findings) : [];
  const lines = [`preflight refused the change (${findings.length} finding(s)); nothing was changed`];
  findings.forEach((finding, index) => {
    const [first, ...rest] = findingLines(finding);
    lines.push(`  ${index + 1}. ${first}`, ...indented(rest, "     "));
  });
  lines.push("fix each finding, then run the same change-key command again");
  return lines.join("\n");
}

/** The dry-run plan (`POST /api/keyChanges` with `dryRun: true`): consumers, steps, warnings and findings. */
export function renderKeyChangePlan(plan: unknown): string {
  if (!isRecord(plan)) return text(plan);
  const lines = [
    "dry run: nothing was changed",
    `  from      ${text(plan.fromKeyId)}`,
    `  to        ${text(plan.toKeyId)}${plan.toVersion ? ` (version ${text(plan.toVersion)})` : ""}`,
    `  strategy  ${text(plan.strategy)}`,
  ];
  const rows: string[][] = [];
  for (const account of listOf(plan.storageAccounts)) {
    rows.push(["storageAccount", text(account.mode), yesNo(account.isRegistered), text(account.resourceId)]);
  }
  for (const policy of listOf(plan.policies)) {
    const onNewKey = policy.existingTargetPolicyId
      ? `moves to ${text(policy.existingTargetPolicyId)}`
      : "a new policy is created for the new key";
    rows.push([
      "powerPlatformPolicy",
      text(policy.mode),
      yesNo(policy.isRegistered),
      `${text(policy.resourceId)} (${onNewKey})`,
    ]);
    for (const environment of listOf(policy.environments)) {
      const name = environment.displayName ? `${text(environment.displayName)} ` : "";
      rows.push(["  environment", "", "", `${name}(${text(environment.id)})`]);
    }
  }
  lines.push(`  consumers (${rows.filter((row) => !row[0].startsWith(" ")).length})`);
  lines.push(...indented(renderTable(["kind", "mode", "registered", "resource"], rows).split("\n"), "    "));
  const skipped = listOf(plan.skipped);
  if (skipped.length > 0) {
    lines.push(`  skipped (${skipped.length})`);
    for (const item of skipped)
      lines.push(`    ${text(item.kind)} ${text(item.resourceId)}: ${text(item.detail, "")}`);
  }
  const steps = Array.isArray(plan.steps) ? plan.steps : [];
  if (steps.length > 0) {
    lines.push("  steps");
    steps.forEach((step, index) => lines.push(`    ${index + 1}. ${text(step)}`));
  }
  const warnings = Array.isArray(plan.warnings) ? plan.warnings : [];
  if (warnings.length > 0) {
    lines.push("  warnings");
    for (const warning of warnings) lines.push(`    - ${text(warning)}`);
  }
  const findings = listOf(plan.findings);
  if (findings.length === 0) {
    lines.push("  preflight: ok, the change can start");
  } else {
    lines.push(`  preflight: the change would be refused (${findings.length} finding(s))`);
    findings.forEach((finding, index) => {
      const [first, ...rest] = findingLines(finding);
      lines.push(`    ${index + 1}. ${first}`, ...indented(rest, "       "));
    });
  }
  return lines.join("\n");
}

function yesNo(value: unknown): string {
  return value === true ? "yes" : value === false ? "no" : "-";
}

/** e.g. `step PowerPlatform · 2/5 moved · now Contoso CI Production` (the live progress, else the record's targets). */
export function keyChangeProgressDetail(record: unknown): string | undefined {
  if (!isRecord(record)) return undefined;
  const progress = isRecord(record.progress) ? record.progress : undefined;
  if (progress) {
    const parts = [
      `step ${text(progress.step)}`,
      `${text(progress.moved, "0")}/${text(progress.total, "0")} moved`,
    ];
    if (progress.current) parts.push(`now ${text(progress.current)}`);
    return parts.join(" · ");
  }
  const targets = listOf(record.targets);
  if (targets.length === 0) return undefined;
  const moved = targets.filter((target) => target.status === "Verified").length;
  return `${moved}/${targets.length} moved`;
}

/** Renders `GET /api/keyChanges/{id}`: where each consumer is, and what to do when it stopped short. */
export function renderKeyChange(record: unknown): string {
  if (!isRecord(record)) return text(record);
  const lines = [
    `key change ${text(record.id)}  ${text(record.status)}`,
    `  from       ${text(record.fromKeyId)}`,
    `  to         ${text(record.toKeyId)}`,
    `  strategy   ${text(record.strategy)}   reason: ${text(record.reason)}`,
    `  started    ${text(record.startedAt)}   finished: ${text(record.finishedAt)}`,
  ];
  const progress = record.status === "Running" ? keyChangeProgressDetail(record) : undefined;
  if (progress) lines.push(`  progress   ${progress}`);
  if (record.oldKeyRetirableAfter) {
    lines.push(
      `  old key    kept; its versions may be retired after ${text(record.oldKeyRetirableAfter)}, if nothing uses them then`,
    );
  }
  const detail = text(record.detail, "");
  if (detail) {
    lines.push(`  detail     ${detail}`);
    const commands = commandsIn(detail);
    if (commands.length > 0) lines.push("  to go on, run:", ...indented(commands, "    "));
  }
  lines.push(...targetLines(record));
  return lines.join("\n");
}
