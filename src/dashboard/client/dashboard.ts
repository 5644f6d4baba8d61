// The status page's script: polls /api/overview and draws it with DOM calls (textContent only, never innerHTML with data).
// A classic script, compiled apart from the app (browser DOM types) and inlined into the page under a CSP hash.

/** The parts of GET /api/overview this page reads (the app's own types are in src/lib/overview/types.ts). */
interface WireOverview {
  generatedAt: string;
  keys: WireKey[];
  revocationsInEffect: WireRevocation[];
  problems: WireProblem[];
}
interface WireProblem {
  part: string;
  code: string;
  message: string;
}
interface WireVersion {
  version: string;
  enabled: boolean;
  createdAt: string;
  updatedAt: string | null;
  expiresAt: string | null;
  isCurrent: boolean;
}
interface WireConsumer {
  resourceId: string;
  kind: string;
  mode: string;
  versionInUse: string | null;
  registration: string;
  detail: string;
}
interface WireTarget {
  resourceId: string;
  kind: string;
  mode: string;
  status: string;
  detail: string;
}
interface WireOperation {
  kind: string;
  id: string;
  step: string | null;
  status: string;
  targets: WireTarget[];
  progress: { finished: number; total: number };
  startedAt: string | null;
}
interface WireEnvironment {
  id: string;
  displayName: string | null;
  environmentSku: string | null;
  lockedAt: string;
  retentionDays: number;
  deletionAt: string;
}
interface WireRevocation {
  id: string;
  keyId: string;
  status: string;
  reason: string;
  raisedAt: string;
  lockedEnvironments: WireEnvironment[];
}
interface WireOutcome {
  kind: string;
  id: string;
  status: string;
  reason: string;
  trigger: string | null;
  previousVersion: string | null;
  newVersion: string | null;
  startedAt: string;
  finishedAt: string | null;
  detail: string | null;
}
interface WireKey {
  vaultName: string;
  keyName: string;
  keyId: string;
  isBound: boolean;
  currentVersion: string | null;
  currentAgeMs: number | null;
  currentExpiresAt: string | null;
  nextRotation: { dueAt: string | null; isDue: boolean; reason: string | null } | null;
  versions: WireVersion[];
  consumers: WireConsumer[];
  drift: WireConsumer[];
  running: WireOperation[];
  revocation: WireRevocation | null;
  recentOutcomes: WireOutcome[];
  problems: WireProblem[];
}

const REFRESH_MS = 3000;
const OPERATION_NAMES: Readonly<Record<string, string>> = {
  rotation: "Rotation",
  revocation: "Revocation",
  keyChange: "Key change",
};
const SVG_NS = "http://www.w3.org/2000/svg";
const DAY_MS = 86_400_000;

type Child = Node | string | null | undefined | false;

/** An element with attributes and children; strings become text nodes, so data is never parsed as markup. */
function el(tag: string, attributes: Record<string, string> = {}, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return element;
}

function svg(tag: string, attributes: Record<string, string | number> = {}, text?: string): SVGElement {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

function formatDate(isoValue: string | null): string {
  if (!isoValue) return "—";
  const date = new Date(isoValue);
  return Number.isNaN(date.getTime()) ? "—" : date.toISOString().replace("T", " ").slice(0, 16) + " UTC";
}

function formatDuration(ms: number): string {
  const totalSeconds = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(totalSeconds / 86_400);
  const hours = Math.floor((totalSeconds % 86_400) / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (days > 0) return `${days} d ${hours} h ${minutes} min`;
  if (hours > 0) return `${hours} h ${minutes} min`;
  if (minutes > 0) return `${minutes} min ${seconds} s`;
  return `${seconds} s`;
}

/** Days to seconds, so the countdown visibly moves. */
function formatCountdown(ms: number): string {
  const totalSeconds = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(totalSeconds / 86_400);
  const hours = Math.floor((totalSeconds % 86_400) / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  return `${days} d ${hours} h ${minutes} min ${totalSeconds % 60} s`;
}

/** Status words with the icon that says the same thing without colour. */
const STATUS_ICON: Record<string, string> = {
  Completed: "✔",
  Verified: "✔",
  Registered: "✔",
  Restored: "✔",
  Enabled: "✔",
  NoWriteNeeded: "✔",
  Running: "⟳",
  Restoring: "⟳",
  Pending: "⟳",
  Verifying: "⟳",
  Applied: "⟳",
  PartiallyApplied: "⚠",
  PartiallyRevoked: "⚠",
  PartiallyRestored: "⚠",
  ActionRequired: "⚠",
  Unregistered: "⚠",
  Missing: "⚠",
  Mismatch: "⚠",
  Skipped: "–",
  Failed: "✖",
  Revoked: "✖",
  Disabled: "✖",
};

function toneOf(status: string): string {
  const icon = STATUS_ICON[status];
  if (icon === "✔") return "good";
  if (icon === "✖") return "bad";
  if (icon === "⚠") return "warn";
  return "info";
}

/** A status word with its icon; `label` replaces the word when the status alone says too little. */
function badge(status: string, label: string = status): HTMLElement {
  return el(
    "span",
    { class: `badge ${toneOf(status)}`, "data-status": status },
    el("span", { "aria-hidden": "true" }, STATUS_ICON[status] ?? "•"),
    ` ${label}`,
  );
}

function code(text: string): HTMLElement {
  return el("code", {}, text);
}

/** The last segment of an ARM id, with the whole id as a tooltip and for screen readers. */
function resourceName(resourceId: string): HTMLElement {
  const name = resourceId.split("/").filter(Boolean).pop() ?? resourceId;
  return el(
    "span",
    { title: resourceId },
    el("strong", {}, name),
    el("span", { class: "muted id" }, resourceId),
  );
}

function table(caption: string, headings: string[], rows: Child[][]): HTMLElement {
  // A scrolling region is focusable and named, so keyboard users can scroll it too.
  return el(
    "div",
    { class: "table-wrap", role: "region", tabindex: "0", "aria-label": caption },
    el(
      "table",
      {},
      el("caption", {}, caption),
      el("thead", {}, el("tr", {}, ...headings.map((heading) => el("th", { scope: "col" }, heading)))),
      el("tbody", {}, ...rows.map((cells) => el("tr", {}, ...cells.map((cell) => el("td", {}, cell))))),
    ),
  );
}

function countdown(deletionAt: string, offsetMs: number): HTMLElement {
  const span = el("span", { class: "countdown", "data-deletion-at": deletionAt });
  span.dataset.offsetMs = String(offsetMs);
  updateCountdown(span);
  return span;
}

function updateCountdown(span: HTMLElement): void {
  const deletionMs = Date.parse(span.dataset.deletionAt ?? "");
  const remainingMs = deletionMs - (Date.now() + Number(span.dataset.offsetMs ?? "0"));
  span.textContent = remainingMs > 0 ? `in ${formatCountdown(remainingMs)}` : "deletion date passed";
}

function revocationBanner(revocations: WireRevocation[], offsetMs: number): HTMLElement | null {
  if (revocations.length === 0) return null;
  return el(
    "section",
    { class: "banner", role: "alert", "aria-labelledby": "banner-title", "data-testid": "revocation-banner" },
    el("h2", { id: "banner-title" }, el("span", { "aria-hidden": "true" }, "⚠ "), "Revocation in effect"),
    ...revocations.map((revocation) =>
      el(
        "div",
        { class: "banner-item" },
        el(
          "p",
          {},
          el("strong", {}, revocation.keyId),
          ` is revoked (${revocation.status}) since ${formatDate(revocation.raisedAt)}. Reason: `,
          el("q", {}, revocation.reason || "none given"),
          ". Revocation ",
          code(revocation.id),
          ".",
        ),
        revocation.lockedEnvironments.length === 0
          ? el("p", {}, "No Power Platform environment is locked by it.")
          : el(
              "ul",
              { class: "environments" },
              ...revocation.lockedEnvironments.map((environment) =>
                el(
                  "li",
                  { "data-environment": environment.id },
                  el("strong", {}, environment.displayName ?? environment.id),
                  ` (${environment.environmentSku ?? "unknown kind"}, locked ${formatDate(environment.lockedAt)}) is deleted on `,
                  el("time", { datetime: environment.deletionAt }, formatDate(environment.deletionAt)),
                  ` (${environment.retentionDays} days after the lock), `,
                  countdown(environment.deletionAt, offsetMs),
                  ".",
                ),
              ),
            ),
        el(
          "p",
          {},
          "Restore when cleared: ",
          code(`cmk-rotator restore ${revocation.id} --reason "…" --wait`),
        ),
      ),
    ),
  );
}

/** Inline SVG of the key's life: version creations, expiries, rotations, retirements and now. */
function timeline(key: WireKey, nowMs: number): Element {
  type Mark = {
    atMs: number;
    kind: "created" | "expires" | "rotated" | "retired" | "revoked";
    label: string;
  };
  const marks: Mark[] = [];
  for (const version of key.versions) {
    const short = version.version.slice(0, 8);
    marks.push({ atMs: Date.parse(version.createdAt), kind: "created", label: `version ${short} created` });
    if (version.expiresAt)
      marks.push({ atMs: Date.parse(version.expiresAt), kind: "expires", label: `version ${short} expires` });
    if (!version.enabled && version.updatedAt)
      marks.push({
        atMs: Date.parse(version.updatedAt),
        kind: "retired",
        label: `version ${short} disabled`,
      });
  }
  for (const outcome of key.recentOutcomes) {
    const atMs = Date.parse(outcome.finishedAt ?? outcome.startedAt);
    if (outcome.kind === "rotation" && outcome.newVersion)
      marks.push({
        atMs,
        kind: "rotated",
        label: `rotated to ${outcome.newVersion.slice(0, 8)} (${outcome.status})`,
      });
    if (outcome.kind === "revocation")
      marks.push({
        atMs: Date.parse(outcome.startedAt),
        kind: "revoked",
        label: `revocation (${outcome.status})`,
      });
  }
  const valid = marks.filter((mark) => !Number.isNaN(mark.atMs));
  const times = [...valid.map((mark) => mark.atMs), nowMs];
  const startMs = Math.min(...times) - DAY_MS;
  const endMs = Math.max(...times) + DAY_MS;
  const width = 1000;
  const height = 64;
  const x = (atMs: number) => 20 + ((atMs - startMs) / (endMs - startMs)) * (width - 40);
  const title = `Time line of ${key.keyName}: ${valid.length} events from ${formatDate(new Date(startMs).toISOString())} to ${formatDate(new Date(endMs).toISOString())}`;
  const root = svg("svg", {
    class: "timeline",
    viewBox: `0 0 ${width} ${height}`,
    role: "img",
    "aria-label": title,
    preserveAspectRatio: "none",
  });
  root.append(svg("title", {}, title));
  root.append(svg("line", { x1: 20, y1: 32, x2: width - 20, y2: 32, class: "axis" }));
  for (const mark of valid.sort((a, b) => a.atMs - b.atMs)) {
    const cx = x(mark.atMs);
    const group = svg("g", { class: `mark ${mark.kind}` });
    group.append(svg("title", {}, `${mark.label}: ${formatDate(new Date(mark.atMs).toISOString())}`));
    if (mark.kind === "created") group.append(svg("circle", { cx, cy: 32, r: 6 }));
    if (mark.kind === "rotated") group.append(svg("rect", { x: cx - 5, y: 14, width: 10, height: 10 }));
    if (mark.kind === "expires")
      group.append(svg("polygon", { points: `${cx},40 ${cx - 6},52 ${cx + 6},52` }));
    if (mark.kind === "retired" || mark.kind === "revoked")
      group.append(svg("path", { d: `M${cx - 5},${37} l10,10 m0,-10 l-10,10`, "stroke-width": 3 }));
    root.append(group);
  }
  const nowX = x(nowMs);
  root.append(svg("line", { x1: nowX, y1: 4, x2: nowX, y2: 60, class: "now" }));
  root.append(svg("text", { x: Math.min(nowX + 4, width - 40), y: 12, class: "now-label" }, "now"));
  return root;
}

function timelineLegend(): HTMLElement {
  return el(
    "p",
    { class: "legend muted" },
    "Time line: ● version created · ■ rotation · ▲ expiry · ✕ disabled (retired or revoked) · | now. Every date is also in the versions table.",
  );
}

function facts(key: WireKey): HTMLElement {
  const next = key.nextRotation;
  const nextText = !key.isBound
    ? "not scheduled (the key is not bound)"
    : !next || !next.dueAt
      ? "not scheduled (no rotateEvery and no expiry)"
      : `${next.isDue ? "due now" : formatDate(next.dueAt)} (${next.reason ?? ""})`;
  const pair = (term: string, ...value: Child[]) => [
    el("div", { class: "fact" }, el("dt", {}, term), el("dd", {}, ...value)),
  ];
  return el(
    "dl",
    { class: "facts" },
    ...pair("Current version", key.currentVersion ? code(key.currentVersion) : "none"),
    ...pair("Age", key.currentAgeMs === null ? "—" : formatDuration(key.currentAgeMs)),
    ...pair("Expires", formatDate(key.currentExpiresAt)),
    ...pair("Next rotation", next?.isDue ? badge("ActionRequired", "Due") : null, " ", nextText),
  );
}

function versionsTable(key: WireKey): HTMLElement {
  return table(
    `Versions of ${key.keyName} (newest first)`,
    ["Version", "State", "Created", "Expires", "Last changed"],
    key.versions.map((version) => [
      el("span", {}, code(version.version), version.isCurrent ? " (current)" : ""),
      badge(version.enabled ? "Enabled" : "Disabled"),
      formatDate(version.createdAt),
      formatDate(version.expiresAt),
      formatDate(version.updatedAt),
    ]),
  );
}

function consumersSection(key: WireKey): HTMLElement {
  if (key.consumers.length === 0) {
    return el(
      "p",
      { class: "empty" },
      "No consumer is registered or found using this key. Bind the resources that use it: ",
      code(
        `cmk-rotator bindings set ${key.vaultName}/${key.keyName} --target storageAccount:pinned:<resourceId>`,
      ),
    );
  }
  return table(
    `Consumers of ${key.keyName}`,
    ["Resource", "Kind", "Mode", "Version in use", "Registration", "Detail"],
    key.consumers.map((consumer) => [
      resourceName(consumer.resourceId),
      consumer.kind,
      consumer.mode,
      consumer.versionInUse
        ? el(
            "span",
            {},
            code(consumer.versionInUse),
            consumer.versionInUse === key.currentVersion ? " (current)" : " (older version)",
          )
        : "follows the newest",
      badge(consumer.registration),
      consumer.detail,
    ]),
  );
}

function driftCallout(key: WireKey): HTMLElement | null {
  if (key.drift.length === 0) return null;
  return el(
    "div",
    { class: "callout warn", "data-testid": "drift" },
    el(
      "p",
      {},
      el(
        "strong",
        {},
        el("span", { "aria-hidden": "true" }, "⚠ "),
        `Drift: ${key.drift.length} consumer(s) not as bound.`,
      ),
      " Register the ones that belong: ",
      code(`cmk-rotator discover ${key.vaultName}/${key.keyName} --register`),
    ),
    el(
      "ul",
      {},
      ...key.drift.map((item) =>
        el("li", {}, el("strong", {}, `${item.registration}: `), item.resourceId, " — ", item.detail),
      ),
    ),
  );
}

function runningSection(key: WireKey): HTMLElement | null {
  if (key.running.length === 0) return null;
  return el(
    "div",
    { class: "running", "data-testid": "running" },
    ...key.running.map((operation) => {
      const { finished, total } = operation.progress;
      return el(
        "div",
        { class: "operation", "data-operation": operation.id },
        el(
          "p",
          {},
          badge("Running"),
          " ",
          el("strong", {}, OPERATION_NAMES[operation.kind] ?? operation.kind),
          " ",
          code(operation.id),
          ` — step ${operation.step ?? "starting"}`,
          total > 0
            ? `, ${finished} of ${total} ${operation.kind === "keyChange" ? "consumers moved" : "targets finished"}`
            : "",
        ),
        total > 0
          ? el("progress", {
              max: String(total),
              value: String(finished),
              "aria-label": `${operation.kind} progress: ${finished} of ${total} targets finished`,
            })
          : null,
        operation.targets.length > 0
          ? el(
              "ul",
              { class: "targets" },
              ...operation.targets.map((target) =>
                el("li", {}, badge(target.status), " ", resourceName(target.resourceId), " ", target.detail),
              ),
            )
          : null,
      );
    }),
  );
}

function outcomesSection(key: WireKey): HTMLElement {
  if (key.recentOutcomes.length === 0) {
    return el(
      "p",
      { class: "empty" },
      "No rotation or revocation recorded yet. ",
      key.isBound ? "Start one: " : "Bind the key first, then rotate it: ",
      code(`cmk-rotator rotate ${key.keyId} --wait`),
    );
  }
  return table(
    `Recent outcomes of ${key.keyName} (newest first)`,
    ["Operation", "Status", "Reason", "Versions", "Started", "Finished", "Detail"],
    key.recentOutcomes.map((outcome) => [
      el(
        "span",
        {},
        outcome.kind,
        outcome.trigger ? ` (${outcome.trigger})` : "",
        el("span", { class: "muted id" }, outcome.id),
      ),
      badge(outcome.status),
      el("span", { class: "reason" }, outcome.reason),
      outcome.newVersion
        ? `${(outcome.previousVersion ?? "—").slice(0, 8)} → ${outcome.newVersion.slice(0, 8)}`
        : "—",
      formatDate(outcome.startedAt),
      formatDate(outcome.finishedAt),
      outcome.detail ?? "",
    ]),
  );
}

function problemList(problems: WireProblem[]): HTMLElement | null {
  if (problems.length === 0) return null;
  return el(
    "ul",
    { class: "problems" },
    ...problems.map((problem) =>
      el(
        "li",
        {},
        el("span", { "aria-hidden": "true" }, "⚠ "),
        el("strong", {}, `${problem.part}: `),
        `${problem.code} — ${problem.message}`,
      ),
    ),
  );
}

function keySection(key: WireKey, nowMs: number): HTMLElement {
  const headingId = `key-${key.vaultName}-${key.keyName}`.replace(/[^A-Za-z0-9_-]/g, "-");
  return el(
    "section",
    { class: "key", "aria-labelledby": headingId, "data-key": `${key.vaultName}/${key.keyName}` },
    el(
      "h2",
      { id: headingId },
      key.keyName,
      el("span", { class: "muted" }, ` in ${key.vaultName}`),
      " ",
      key.revocation ? badge("Revoked") : null,
      key.drift.length > 0 ? badge("Unregistered", "Drift") : null,
    ),
    el("p", { class: "muted id" }, key.keyId),
    key.isBound
      ? null
      : el(
          "p",
          { class: "callout info" },
          "Not bound: nothing rotates this key and no consumer is updated. Bind it: ",
          code(
            `cmk-rotator bindings set ${key.vaultName}/${key.keyName} --target storageAccount:pinned:<resourceId>`,
          ),
        ),
    problemList(key.problems),
    runningSection(key),
    facts(key),
    timeline(key, nowMs),
    timelineLegend(),
    el("h3", {}, "Versions"),
    versionsTable(key),
    el("h3", {}, "Consumers"),
    driftCallout(key),
    consumersSection(key),
    el("h3", {}, "Recent outcomes"),
    outcomesSection(key),
  );
}

function render(overview: WireOverview): void {
  const nowMs = Date.parse(overview.generatedAt);
  // The page's clock follows the app's, so countdowns agree with the dates shown.
  const offsetMs = nowMs - Date.now();
  const banner = document.getElementById("banner");
  const keys = document.getElementById("keys");
  const problems = document.getElementById("problems");
  if (!banner || !keys || !problems) return;
  const bannerContent = revocationBanner(overview.revocationsInEffect, offsetMs);
  banner.replaceChildren(...(bannerContent ? [bannerContent] : []));
  const problemContent = problemList(overview.problems);
  problems.replaceChildren(...(problemContent ? [problemContent] : []));
  if (overview.keys.length === 0) {
    keys.replaceChildren(
      el(
        "div",
        { class: "empty" },
        el("h2", {}, "No keys yet"),
        el(
          "p",
          {},
          "No allow-listed vault holds a key and no binding exists. Add the vault to CMK_ALLOWED_VAULTS, create the key, then bind it to the resources that use it:",
        ),
        el(
          "pre",
          {},
          code("cmk-rotator bindings set <vault>/<key> --target storageAccount:pinned:<resourceId>"),
        ),
      ),
    );
  } else {
    keys.replaceChildren(...overview.keys.map((key) => keySection(key, nowMs)));
  }
  const summary = document.getElementById("summary");
  if (summary) {
    const revoked = overview.revocationsInEffect.length;
    const running = overview.keys.reduce((count, key) => count + key.running.length, 0);
    summary.textContent = `${overview.keys.length} key(s), ${running} operation(s) running, ${revoked} revocation(s) in effect. Updated ${formatDate(overview.generatedAt)}.`;
  }
}

function setStatus(text: string, isError: boolean): void {
  const status = document.getElementById("refresh-status");
  if (!status) return;
  status.textContent = text;
  status.className = isError ? "refresh error" : "refresh";
}

async function refresh(functionKey: string | null): Promise<void> {
  try {
    const response = await fetch("overview", {
      headers: functionKey ? { "x-functions-key": functionKey } : {},
      cache: "no-store",
      credentials: "same-origin",
    });
    if (response.status === 401) {
      setStatus(
        "The function key is missing or wrong: open this page as /api/dashboard?code=<function key>.",
        true,
      );
      return;
    }
    if (!response.ok) {
      const body = (await response.json().catch(() => undefined)) as { error?: WireProblem } | undefined;
      setStatus(`Could not refresh (${response.status} ${body?.error?.code ?? ""}); retrying.`, true);
      return;
    }
    render((await response.json()) as WireOverview);
    setStatus(`Refreshes every ${REFRESH_MS / 1000} s.`, false);
  } catch (error) {
    setStatus(
      `Could not reach the app (${error instanceof Error ? error.message : "unknown error"}); retrying.`,
      true,
    );
  }
}

function start(): void {
  const functionKey = new URLSearchParams(window.location.search).get("code");
  const loop = async () => {
    await refresh(functionKey);
    window.setTimeout(() => void loop(), REFRESH_MS);
  };
  void loop();
  window.setInterval(() => {
    document.querySelectorAll<HTMLElement>(".countdown").forEach(updateCountdown);
  }, 1000);
}

start();
