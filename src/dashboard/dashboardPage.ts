// The status page: a fixed HTML shell with its style sheet and script inlined, and the CSP that allows exactly those two.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DASHBOARD_CSS } from "./dashboardStyles";

export interface DashboardPage {
  html: string;
  /** Response headers: content type, Content-Security-Policy and the other browser hardening headers. */
  headers: Record<string, string>;
}

/** The compiled page script (src/dashboard/client, built by its own tsconfig next to this file). */
export const DASHBOARD_SCRIPT_PATH = join(__dirname, "client", "dashboard.js");

const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

/**
 * No data is ever written into the HTML: the script fetches /api/overview and builds the DOM with
 * text nodes. The CSP allows only the hashed inline script and style, and fetches to the app itself.
 */
export function buildDashboardPage(script: string, css: string = DASHBOARD_CSS): DashboardPage {
  const csp = [
    "default-src 'none'",
    `script-src ${sha256(script)}`,
    `style-src ${sha256(css)}`,
    "img-src 'self'",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>cmk-rotator status</title>
<style>${css}</style>
</head>
<body>
<header>
<h1>cmk-rotator status</h1>
<p id="summary" aria-live="polite">Loading the overview…</p>
<p id="refresh-status" class="refresh" role="status">Loading…</p>
</header>
<main>
<div id="banner"></div>
<div id="problems"></div>
<div id="keys" aria-busy="false"></div>
<noscript><p>This page needs JavaScript; the same data is at <code>GET /api/overview</code>.</p></noscript>
</main>
<script>${script}</script>
</body>
</html>
`;
  return {
    html,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": csp,
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      "x-frame-options": "DENY",
      "cache-control": "no-store",
    },
  };
}

let built: DashboardPage | undefined;

/** The page, built once per process from the compiled script. */
export function dashboardPage(): DashboardPage {
  built ??= buildDashboardPage(readFileSync(DASHBOARD_SCRIPT_PATH, "utf8"));
  return built;
}
