// End to end: `npm start` with the demo (ports 0): seeds the estate, runs every demo step without a failure,
// prints the summary table, keeps serving, and stops cleanly on SIGINT (Ctrl-C).
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { assertBuilt, isAlive, spawnSandbox, type SandboxProcess } from "./sandboxProcess";

const DEMO_BUDGET_MS = 90_000;
const stateDir = mkdtempSync(join(tmpdir(), "cmk-sandbox-demo-"));
let sandbox: SandboxProcess | undefined;

afterAll(async () => {
  if (sandbox && sandbox.child.exitCode === null) {
    sandbox.child.kill("SIGKILL");
    await sandbox.exited;
  }
  rmSync(stateDir, { recursive: true, force: true });
});

async function waitForLine(running: SandboxProcess, pattern: RegExp, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(running.output())) {
    if (running.child.exitCode !== null) throw new Error(`the sandbox exited:\n${running.output()}`);
    if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${running.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

it(
  "runs the demo once with readable progress and a summary, then serves until Ctrl-C",
  async () => {
    assertBuilt();
    const startedAt = Date.now();
    sandbox = spawnSandbox([], { CMK_SANDBOX_PORTS: "0", CMK_SANDBOX_DIR: stateDir });
    await waitForLine(sandbox, /^serving until Ctrl-C/m, DEMO_BUDGET_MS);
    console.log(`sandbox start-up + demo: ${Date.now() - startedAt} ms`);
    const output = sandbox.output();
    expect(output).toMatch(/^demo estate {2}contoso-cmk\/ci-data-cmk/m);
    expect(output).toMatch(/^sandbox ready$/m);
    for (const title of [
      "1. near-expiry event -> rotation",
      "2. on-demand rotation",
      "3. emergency revocation",
      "4. restore",
      "5. discovery: a consumer nobody registered",
      "6. discover --register",
    ]) {
      expect(output).toContain(`\n${title}\n`);
    }
    expect(output).not.toMatch(/^ {3}failed: /m);
    expect(output).toMatch(/Unregistered +storageAccount +pinned .*contosocireports/);
    expect(output).toMatch(
      /retirement kept version \S+ enabled: contosocireports \(Unregistered\) still uses it/,
    );
    expect(output).toMatch(/registered storageAccount pinned .*contosocireports/);
    expect(output).toMatch(/^summary\n {2}key +versions +enabled +current\n {2}contoso-cmk\/ci-data-cmk/m);
    expect(existsSync(join(stateDir, "sandbox.json"))).toBe(true);

    const pid = sandbox.child.pid ?? -1;
    sandbox.child.kill("SIGINT");
    expect(await sandbox.exited).toBe(0);
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(join(stateDir, "sandbox.json"))).toBe(false);
  },
  DEMO_BUDGET_MS + 20_000,
);
