// The status page in headless Chromium against the local host: keys and consumers, live rotation, revocation banner, XSS, axe.
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SECOND_SUBSCRIPTION_ID } from "../../../sandbox/arm";
import { packageRoot } from "../../../sandbox/packageRoot";
import {
  CHROMIUM_PATH,
  hasChromium,
  launchChromium,
  screenshot,
  seriousAxeViolations,
} from "../../support/browser";
import { startRevocationStack, type RevocationStack } from "../../support/revocationStack";
import { postRotation, seedKey, waitForRotation, waitForStep, type SeededKey } from "../rotation/seedEstate";

const XSS_REASON = "<img src=x onerror=alert(1)>";
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The few browser globals the page callbacks touch (the test program has no DOM types). */
interface BrowserScope {
  cspViolations: string[];
  innerWidth: number;
  document: {
    querySelectorAll(selector: string): Iterable<{
      className: string;
      tagName: string;
      getBoundingClientRect(): { right: number };
      closest(selector: string): unknown;
    }>;
    addEventListener(type: string, listener: (event: { violatedDirective: string }) => void): void;
  };
}
/** Longer than the page's 3 s refresh, with room for a slow shared machine. */
const PAGE_TIMEOUT_MS = 20_000;

let stack: RevocationStack;
let browser: Browser;
let page: Page;
let dash: SeededKey;
let xss: SeededKey;
let strayId: string;
const dialogs: string[] = [];

if (!hasChromium)
  console.warn(`dashboard browser tests skipped: ${CHROMIUM_PATH} is missing (apt-get install -y chromium).`);

const keySection = (keyName: string) =>
  page.locator(`section[data-key="${stack.base.vaultName}/${keyName}"]`);

async function expectAccessible(state: string): Promise<void> {
  const violations = await seriousAxeViolations(page);
  expect(
    violations.map((violation) => `${violation.id} (${violation.impact}): ${violation.help}`),
    `axe on ${state}`,
  ).toEqual([]);
}

describe.skipIf(!hasChromium)("status page in Chromium", () => {
  beforeAll(async () => {
    stack = await startRevocationStack();
    const { base } = stack;
    dash = await seedKey(base, {
      keyName: "cmk-dash",
      storage: [
        { name: "stdashpinned", mode: "pinned" },
        { name: "stdashfollow", mode: "versionless" },
      ],
      policies: [{ name: "ep-dash", mode: "versionless" }],
      policy: { rotateEvery: "P90D", expiresAfter: "P180D" },
    });
    for (const [displayName, environmentSku] of [
      ["Contoso Prod", "Production"],
      ["Contoso Test", "Sandbox"],
    ]) {
      await base.arm.seedEnvironment({ displayName, environmentSku, policyId: dash.policyIds["ep-dash"] });
    }
    // Pinned to the same version, in another subscription, in no binding: discovery finds it.
    strayId = (
      await base.arm.seedStorageAccount({
        name: "stdashstray",
        subscriptionId: SECOND_SUBSCRIPTION_ID,
        resourceGroup: "rg-stray",
        customerManagedKey: { vaultName: base.vaultName, keyName: "cmk-dash", keyVersion: dash.firstVersion },
      })
    ).id;
    xss = await seedKey(base, { keyName: "cmk-xss", storage: [{ name: "stdashxss", mode: "pinned" }] });
    await base.operatorKeys().createRsaKey("cmk-loose", { keySize: 2048 });

    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    // Records every CSP refusal the page meets (DevTools-injected, so not itself subject to the CSP).
    await page.addInitScript(() => {
      const seen: string[] = [];
      const scope = globalThis as unknown as BrowserScope;
      scope.cspViolations = seen;
      scope.document.addEventListener("securitypolicyviolation", (event) =>
        seen.push(event.violatedDirective),
      );
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("lists every key with its versions and consumers, the unregistered one included, under a strict CSP", async () => {
    const host = stack.host();
    const response = await page.goto(
      `${host.baseUrl}/api/dashboard?code=${encodeURIComponent(host.functionKey)}`,
    );
    expect(response?.status()).toBe(200);
    const csp = response?.headers()["content-security-policy"] ?? "";
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'(;|$)/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);

    const section = keySection("cmk-dash");
    await section.waitFor({ timeout: PAGE_TIMEOUT_MS });
    const consumers = section.locator("table", { hasText: "Consumers of cmk-dash" });
    await expect.poll(() => consumers.locator("tbody tr").count(), { timeout: PAGE_TIMEOUT_MS }).toBe(4);
    const rowOf = (name: string) => consumers.locator("tbody tr", { hasText: name });
    expect(await rowOf("stdashpinned").innerText()).toMatch(/pinned[\s\S]*Registered/);
    expect(await rowOf("stdashfollow").innerText()).toMatch(/versionless[\s\S]*Registered/);
    expect(await rowOf("ep-dash").innerText()).toContain("powerPlatformPolicy");
    const stray = await rowOf("stdashstray").innerText();
    expect(stray).toContain("Unregistered");
    expect(stray).toContain(dash.firstVersion);
    expect(stray).toContain(strayId);
    expect(await section.getByTestId("drift").innerText()).toMatch(/Drift: 1 consumer/);
    expect(await section.locator("table", { hasText: "Versions of cmk-dash" }).innerText()).toContain(
      dash.firstVersion,
    );
    expect(await section.locator("svg.timeline circle").count()).toBe(1);
    expect(await section.locator("dl.facts").innerText()).toMatch(
      /Next rotation\s+\d{4}-\d\d-\d\d \d\d:\d\d UTC \((RotateEvery|NearExpiry)\)/,
    );
    // A key nobody bound says what to do next.
    expect(await keySection("cmk-loose").innerText()).toContain("cmk-rotator bindings set");

    // The CSP refuses an injected inline script, and the page itself never needed an exception.
    await page.addScriptTag({ content: "window.injected = true;" }).catch(() => undefined);
    expect(await page.evaluate(() => "injected" in globalThis)).toBe(false);
    expect(await page.evaluate(() => (globalThis as unknown as BrowserScope).cspViolations)).toEqual([
      "script-src-elem",
    ]);
    await screenshot(page, "overview-1280");
    await expectAccessible("the overview");

    await page.setViewportSize({ width: 390, height: 800 });
    // Nothing sticks out sideways: wide tables scroll inside their own region.
    const overflowing = await page.evaluate(() => {
      const scope = globalThis as unknown as BrowserScope;
      return [...scope.document.querySelectorAll("body *")]
        .filter((element) => element.getBoundingClientRect().right > scope.innerWidth + 1)
        .filter((element) => !element.closest(".table-wrap"))
        .map((element) => `${element.tagName}.${element.className}`);
    });
    expect(overflowing).toEqual([]);
    await screenshot(page, "overview-narrow");
    await expectAccessible("the overview on a narrow window");
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it("renders a rotation reason full of markup as text", async () => {
    const rotation = await postRotation(stack.base, xss.keyId, XSS_REASON);
    expect((await waitForRotation(stack.base, rotation.id)).status).toBe("Completed");
    const reason = keySection("cmk-xss").locator(".reason", { hasText: XSS_REASON });
    await reason.waitFor({ timeout: PAGE_TIMEOUT_MS });
    expect(await reason.textContent()).toBe(XSS_REASON);
    expect(await page.locator("main img").count()).toBe(0);
    expect(dialogs).toEqual([]);
    await expectAccessible("a completed rotation");
  });

  it("shows a revocation in red with each locked environment's deletion date and countdown, and clears it after the restore", async () => {
    const { response, id } = await stack.revoke(dash.keyId, "INC-42 suspected key leak");
    expect(response.status).toBe(202);
    const revoked = await stack.waitForRevocation(id!, (record) => record.finishedAt !== null);
    expect(revoked.status).toBe("Revoked");

    const banner = page.getByTestId("revocation-banner");
    await banner.waitFor({ timeout: PAGE_TIMEOUT_MS });
    expect(await banner.getAttribute("role")).toBe("alert");
    const text = await banner.innerText();
    expect(text).toContain(dash.keyId);
    expect(text).toContain("INC-42 suspected key leak");
    const prod = banner.locator("li", { hasText: "Contoso Prod" });
    const test = banner.locator("li", { hasText: "Contoso Test" });
    await prod.waitFor({ timeout: PAGE_TIMEOUT_MS });
    expect(await prod.innerText()).toMatch(/Production[\s\S]*30 days after the lock[\s\S]*in 29 d 23 h/);
    expect(await test.innerText()).toMatch(/Sandbox[\s\S]*7 days after the lock[\s\S]*in 6 d 23 h/);
    const deletionAt = Date.parse((await prod.locator("time").getAttribute("datetime")) ?? "");
    expect(deletionAt - Date.now()).toBeGreaterThan(29 * DAY_MS);
    expect(deletionAt - Date.now()).toBeLessThanOrEqual(30 * DAY_MS);
    // The countdown ticks without a reload.
    const countdown = prod.locator(".countdown");
    const first = await countdown.textContent();
    await expect.poll(() => countdown.textContent(), { timeout: 5_000 }).not.toBe(first);
    expect(await keySection("cmk-dash").locator("h2").innerText()).toContain("Revoked");
    await screenshot(page, "revoked");
    await expectAccessible("a revocation in effect");

    const { response: restoring, requestId } = await stack.restore(id!);
    expect(restoring.status).toBe(202);
    expect((await stack.waitForRestore(id!, requestId)).restore?.status).toBe("Restored");
    await banner.waitFor({ state: "detached", timeout: PAGE_TIMEOUT_MS });
    expect(await page.locator(".countdown").count()).toBe(0);
    await expectAccessible("after the restore");
  });

  it("shows a rotation started while the page is open with its step and progress, then its outcome, without a reload", async () => {
    let reloads = 0;
    page.on("load", () => (reloads += 1));
    const rotation = await postRotation(stack.base, dash.keyId, "quarterly");
    await waitForStep(stack.base, rotation.instanceId, "WatchingVersionlessTargets");
    const running = keySection("cmk-dash").locator(`[data-operation="${rotation.id}"]`);
    await running.waitFor({ timeout: PAGE_TIMEOUT_MS });
    await expect
      .poll(() => running.innerText(), { timeout: PAGE_TIMEOUT_MS })
      .toMatch(/step WatchingVersionlessTargets, [0-2] of 3 targets finished/);
    expect(await running.locator("progress").getAttribute("max")).toBe("3");
    await screenshot(page, "rotation-running");
    if (process.env.CMK_UPDATE_DOCS_SCREENSHOT === "1")
      copyFileSync(
        join(packageRoot(), ".screenshots", "rotation-running.png"),
        join(packageRoot(), "docs", "dashboard.png"),
      );
    await expectAccessible("a running rotation");

    // Versionless storage picks the version up once a virtual day.
    await stack.base.advance(25 * HOUR_MS);
    const finished = await waitForRotation(stack.base, rotation.id);
    expect(finished.status).not.toBe("Running");
    await running.waitFor({ state: "detached", timeout: PAGE_TIMEOUT_MS });
    const outcome = keySection("cmk-dash")
      .locator("table", { hasText: "Recent outcomes" })
      .locator("tbody tr", {
        hasText: rotation.id,
      });
    await expect.poll(() => outcome.innerText(), { timeout: PAGE_TIMEOUT_MS }).toContain(finished.status);
    expect(await outcome.innerText()).toContain("quarterly");
    expect(reloads).toBe(0);
    await screenshot(page, "rotation-finished");
    await expectAccessible("a finished rotation");
  });
});
