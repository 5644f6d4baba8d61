// End to end: `npm start` with the demo (ports 0): seeds the estate, runs every demo step without a failure (the
// last one changes ci-data-cmk to a key in the RBAC vault), prints the summary table, keeps serving, and stops
// cleanly on SIGINT (Ctrl-C).
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

/** Step 7: refused on both storage accounts' missing role, granted as printed, stopped on the new policy's
 * identity, granted, resumed, completed; then every consumer on the new key. */
function expectTheKeyChange(step: string): void {
  const grantLine =
    /^ +az role assignment create --assignee-object-id \S+ --assignee-principal-type ServicePrincipal --role "Key Vault Crypto Service Encryption User" --scope \/subscriptions\/\S+\/providers\/Microsoft\.KeyVault\/vaults\/contoso-cmk-eu$/gm;
  const [refusal, partial, completed] = step.split(/^ {3}cmk-rotator change-key .*$/m).slice(1);
  expect(refusal).toContain("preflight refused the change (2 finding(s)); nothing was changed");
  expect(
    refusal.match(/MissingKeyAccess +\/subscriptions\/\S+\/storageAccounts\/contosoci(datalake|reports)$/gm),
  ).toHaveLength(2);
  expect(refusal.match(grantLine)).toHaveLength(2);
  expect(refusal).toMatch(/^ {3}exit code 8$/m);
  expect(
    refusal.match(/^ {3}granted "Key Vault Crypto Service Encryption User" to \S+ on contoso-cmk-eu/gm),
  ).toHaveLength(2);
  expect(partial).toMatch(/^ {4}key change \S+ {2}PartiallyApplied$/m);
  expect(partial).toMatch(/ActionRequired +powerPlatformPolicy +contoso-ci-cmk /);
  expect(partial.match(grantLine)).toHaveLength(1);
  expect(partial).toMatch(/^ {3}exit code 1$/m);
  expect(completed).toMatch(
    /key change \S+: Running · step PowerPlatform · \d\/3 moved · now Contoso CI Production/,
  );
  expect(completed).toMatch(/^ {4}key change \S+ {2}Completed$/m);
  expect(completed).toMatch(/^ {3}exit code 0$/m);
  for (const consumer of [
    "storage contosocidatalake",
    "storage contosocireports",
    "policy contoso-ci-cmk-ci-data-eu-cmk",
    "environment Contoso CI Production",
    "environment Contoso CI Sandbox",
  ])
    expect(completed).toMatch(
      new RegExp(`^ {4}${consumer} +contoso-cmk-eu/ci-data-eu-cmk +[0-9a-f]{12} `, "m"),
    );
  expect(completed).toMatch(/^ {4}environment Contoso CI Production .* Enabled$/m);
  // The old policy is kept, with nothing linked to it any more.
  expect(completed).toMatch(/^ {4}policy contoso-ci-cmk +contoso-cmk\/ci-data-cmk .* 0 environment\(s\)$/m);
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
      "7. change ci-data-cmk to a new key in contoso-cmk-eu (Azure RBAC)",
    ]) {
      expect(output).toContain(`\n${title}\n`);
    }
    expect(output).not.toMatch(/^ {3}failed: /m);
    expect(output).toMatch(/Unregistered +storageAccount +pinned .*contosocireports/);
    expect(output).toMatch(
      /retirement kept version \S+ enabled: contosocireports \(Unregistered\) still uses it/,
    );
    expect(output).toMatch(/registered storageAccount pinned .*contosocireports/);
    expectTheKeyChange(output.slice(output.indexOf("\n7. change ci-data-cmk")));
    expect(output).toMatch(/^summary\n {2}key +versions +enabled +current\n {2}contoso-cmk\/ci-data-cmk/m);
    expect(output).toMatch(/^ {2}7\. change ci-data-cmk .* +Completed after 2 grant round\(s\)$/m);
    expect(existsSync(join(stateDir, "sandbox.json"))).toBe(true);

    const pid = sandbox.child.pid ?? -1;
    sandbox.child.kill("SIGINT");
    expect(await sandbox.exited).toBe(0);
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(join(stateDir, "sandbox.json"))).toBe(false);
  },
  DEMO_BUDGET_MS + 20_000,
);
