// Headless Chromium for browser tests: Debian's /usr/bin/chromium through playwright-core (never a browser download), axe-core, screenshots.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { packageRoot } from "../../sandbox/packageRoot";

/** Debian's chromium package; .ci/run installs it when it is missing. */
export const CHROMIUM_PATH = "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM_PATH);
/** Where browser tests save screenshots (git-ignored). */
export const SCREENSHOT_DIR = join(packageRoot(), ".screenshots");

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      "--no-sandbox",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

const axeSource = () => readFileSync(join(packageRoot(), "node_modules", "axe-core", "axe.min.js"), "utf8");

/**
 * Runs axe-core in the page and returns the serious and critical violations. The page's CSP refuses
 * an injected inline <script> (page.addScriptTag), so the source is evaluated through the DevTools
 * protocol, which the CSP does not govern.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  const hasAxe = () => page.evaluate(() => "axe" in globalThis);
  if (!(await hasAxe())) await page.evaluate(axeSource());
  const violations = await page.evaluate(async () => {
    const scope = globalThis as unknown as {
      axe: { run: (context: unknown) => Promise<{ violations: unknown[] }> };
      document: unknown;
    };
    return (await scope.axe.run(scope.document)).violations;
  });
  return (violations as AxeViolation[]).filter(
    (violation) => violation.impact === "serious" || violation.impact === "critical",
  );
}

/** Saves a full-page screenshot under .screenshots/ and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
