// The status page's style sheet, inlined into the page under a CSP hash (no file to serve, nothing from outside).

/** Colours keep 4.5:1 contrast on their backgrounds; every state also has a word and an icon. */
export const DASHBOARD_CSS = `
:root { color-scheme: light; --bad: #a4001d; --warn: #7a4b00; --good: #136f2a; --info: #1f4e8c; --muted: #4f5661; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #16181d; background: #f5f6f8; }
header { display: flex; flex-wrap: wrap; gap: 0.5rem 1.5rem; align-items: baseline; justify-content: space-between;
  padding: 0.75rem 1.25rem; background: #1b2a41; color: #fff; }
header h1 { margin: 0; font-size: 1.25rem; }
header p { margin: 0; }
.refresh { color: #e6ebf2; }
.refresh.error { color: #fff; background: var(--bad); padding: 0 0.4rem; border-radius: 3px; }
main { max-width: 1240px; margin: 0 auto; padding: 1rem 1.25rem 3rem; }
.banner { background: var(--bad); color: #fff; border: 3px solid #5c0010; border-radius: 6px; padding: 0.75rem 1rem; margin-bottom: 1rem; }
.banner h2 { margin: 0 0 0.5rem; font-size: 1.2rem; }
.banner code, .banner q { color: #fff; background: rgba(0, 0, 0, 0.25); }
.banner .countdown { font-weight: 700; font-variant-numeric: tabular-nums; }
.key { background: #fff; border: 1px solid #d5d9e0; border-radius: 6px; padding: 0.75rem 1rem 1rem; margin-bottom: 1.25rem; }
.key h2 { margin: 0; font-size: 1.15rem; overflow-wrap: anywhere; }
.key h3 { font-size: 1rem; margin: 1rem 0 0.35rem; }
.muted { color: var(--muted); font-weight: normal; }
.id { display: block; font-size: 0.8rem; overflow-wrap: anywhere; }
code { font-family: ui-monospace, "Cascadia Mono", Consolas, monospace; font-size: 0.85em; background: #eef0f4; padding: 0 0.2rem; border-radius: 3px; overflow-wrap: anywhere; }
pre { white-space: pre-wrap; }
.facts { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 0.5rem 1rem; margin: 0.75rem 0; }
.facts dt { font-weight: 600; color: var(--muted); font-size: 0.85rem; }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.key h2 .badge { margin-left: 0.25rem; vertical-align: middle; }
.timeline { width: 100%; height: 64px; display: block; background: #fafbfc; border: 1px solid #e1e4e9; border-radius: 4px; }
.timeline .axis { stroke: #8a919c; stroke-width: 2; }
.timeline .now { stroke: #16181d; stroke-width: 2; stroke-dasharray: 4 3; }
.timeline .now-label { font-size: 11px; fill: #16181d; }
.timeline .created circle { fill: var(--info); }
.timeline .rotated rect { fill: var(--good); }
.timeline .expires polygon { fill: var(--warn); }
.timeline .retired path, .timeline .revoked path { stroke: var(--bad); fill: none; }
.legend { font-size: 0.8rem; margin: 0.25rem 0 0; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
caption { text-align: left; font-size: 0.8rem; color: var(--muted); padding-bottom: 0.2rem; }
th, td { text-align: left; vertical-align: top; padding: 0.3rem 0.5rem; border-bottom: 1px solid #e1e4e9; }
th { background: #eef0f4; font-weight: 600; }
.badge { display: inline-block; white-space: nowrap; font-size: 0.8rem; font-weight: 600; padding: 0 0.4rem; border-radius: 3px; border: 1px solid currentColor; }
.badge.good { color: var(--good); background: #eaf6ed; }
.badge.bad { color: var(--bad); background: #fdecee; }
.badge.warn { color: var(--warn); background: #fff4e0; }
.badge.info { color: var(--info); background: #e9f0fa; }
.callout { border-left: 4px solid; padding: 0.4rem 0.75rem; margin: 0.5rem 0; border-radius: 3px; }
.callout.warn { border-color: var(--warn); background: #fff4e0; }
.callout.info { border-color: var(--info); background: #e9f0fa; }
.running { border: 2px solid var(--info); border-radius: 4px; padding: 0.4rem 0.75rem; margin: 0.5rem 0; background: #f3f7fd; }
.running progress { width: 100%; max-width: 420px; height: 1rem; }
.targets, .environments, .problems { margin: 0.25rem 0; padding-left: 1.25rem; }
.problems { color: var(--bad); }
.empty { background: #fff; border: 1px dashed #8a919c; border-radius: 6px; padding: 0.5rem 1rem; }
.reason { overflow-wrap: anywhere; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
@media (max-width: 700px) {
  body { font-size: 14px; }
  main { padding: 0.5rem; }
  th, td { padding: 0.25rem; }
}
`;
