// End to end through the local host: consumers nobody registered are found, reported, never cut off by retirement, then registered.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SECOND_SUBSCRIPTION_ID } from "../../../sandbox/arm";
import { runCli } from "../../../cli/runCli";
import { startE2eStack, type E2eStack } from "../../support/e2eStack";
import {
  auditOf,
  postRotation,
  seedKey,
  versionsOf,
  waitForRotation,
  waitForStep,
  type SeededKey,
} from "../rotation/seedEstate";

const DAY_MS = 86_400_000;
let stack: E2eStack;
let key: SeededKey;
let strayId: string;

interface ConsumerRow {
  resourceId: string;
  registration: string;
  mode: string;
  versionInUse?: string;
  detail: string;
}

async function consumers(
  path: string,
): Promise<{ status: number; body: { value?: ConsumerRow[]; error?: { code: string } } }> {
  const response = await stack.call(`/api/keys/${path}/consumers`);
  return { status: response.status, body: (await response.json()) as { value?: ConsumerRow[] } };
}

async function decisions(keyName: string, kind: string) {
  const all = await auditOf(stack).listDecisions({ vaultName: stack.vaultName, keyName }, { top: 500 });
  return all.filter((decision) => decision.kind === kind);
}

/** Runs the CLI in-process against the stack; returns exit code and output. */
async function cli(args: string[]) {
  let stdout = "";
  let stderr = "";
  const exitCode = await runCli(
    [...args, "--base-url", stack.host.baseUrl, "--function-key", stack.host.functionKey],
    {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      env: {},
      cwd: process.cwd(),
    },
  );
  return { exitCode, stdout, stderr };
}

beforeAll(async () => {
  // A daily sweep: every occurrence fires when the clock jumps, so a month is 31 sweeps.
  stack = await startE2eStack({ eventSchema: "none", sweepSchedule: "0 0 0 * * *" });
  key = await seedKey(stack, {
    keyName: "cmk-disc",
    storage: [{ name: "stdiscbound", mode: "pinned" }],
    policy: { retireAfter: "P30D" },
  });
  // Pinned to the same version, in another subscription, in no binding.
  strayId = (
    await stack.arm.seedStorageAccount({
      name: "stdiscstray",
      subscriptionId: SECOND_SUBSCRIPTION_ID,
      resourceGroup: "rg-stray",
      customerManagedKey: { vaultName: stack.vaultName, keyName: "cmk-disc", keyVersion: key.firstVersion },
    })
  ).id;
});

afterAll(async () => {
  await stack?.stop();
});

describe("discovery", () => {
  it("lists an unregistered consumer in a second subscription beside the registered one", async () => {
    const { status, body } = await consumers(`${stack.vaultName}/cmk-disc`);
    expect(status).toBe(200);
    expect(body.value).toEqual([
      expect.objectContaining({
        resourceId: key.storageIds.stdiscbound,
        registration: "Registered",
        mode: "pinned",
        versionInUse: key.firstVersion,
      }),
      expect.objectContaining({
        resourceId: strayId,
        registration: "Unregistered",
        mode: "pinned",
        versionInUse: key.firstVersion,
      }),
    ]);
    expect(body.value?.find((row) => row.resourceId === strayId)?.detail).toContain("--register");
  });

  it("answers bad key paths with the error shape, never a 5xx", async () => {
    expect(await consumers(`${stack.vaultName}/no-such-key`)).toMatchObject({
      status: 404,
      body: { error: { code: "KeyNotFound" } },
    });
    expect(await consumers("not-allowed-vault/cmk-disc")).toMatchObject({
      status: 400,
      body: { error: { code: "UnknownVault" } },
    });
    expect((await consumers(`${stack.vaultName}/bad%20key!`)).status).toBe(400);
  });

  it("reports it in the dry run and the rotation, and retirement keeps the version it pins", async () => {
    const dry = await stack.call("/api/rotations", {
      method: "POST",
      body: JSON.stringify({ keyId: key.keyId, dryRun: true }),
    });
    expect(dry.status).toBe(200);
    expect(((await dry.json()) as { unregistered: Array<{ resourceId: string }> }).unregistered).toEqual([
      expect.objectContaining({ resourceId: strayId, mode: "pinned" }),
    ]);
    const rotation = await postRotation(stack, key.keyId);
    const record = await waitForRotation(stack, rotation.id);
    expect(record.status).toBe("Completed");
    expect(record.detail).toContain(strayId);
    expect(record.targets.map((target) => target.resourceId)).toEqual([key.storageIds.stdiscbound]);
    await waitForStep(stack, rotation.instanceId, "WaitingToRetire");

    // Three daily sweeps: the drift is recorded once.
    for (let day = 0; day < 3; day += 1) await stack.advance(DAY_MS);
    const detected = await decisions("cmk-disc", "drift");
    expect(detected.map((decision) => decision.reason)).toEqual(["DriftDetected"]);
    expect(detected[0].detail).toContain(strayId);

    await stack.advance(28 * DAY_MS);
    await stack.host.waitForInstance(rotation.instanceId, { timeoutMs: 20_000 });
    const versions = await versionsOf(stack, "cmk-disc");
    expect(versions.map((version) => [version.version, version.enabled])).toEqual([
      [record.newVersion, true],
      [key.firstVersion, true],
    ]);
    const retained = (await decisions("cmk-disc", "retirement")).filter(
      (decision) => decision.reason === "VersionRetained",
    );
    expect(retained.length).toBeGreaterThan(0);
    expect(retained[0].detail).toContain(`${strayId} (Unregistered) still uses it`);
  });

  it("registers it with discover --register; the next rotation moves it and retirement then proceeds", async () => {
    const listed = await cli(["discover", `${stack.vaultName}/cmk-disc`]);
    expect(listed.exitCode).toBe(0);
    expect(listed.stdout).toMatch(/Unregistered\s+storageAccount\s+pinned/);
    const registered = await cli(["discover", `${stack.vaultName}/cmk-disc`, "--register", "--json"]);
    expect(registered.stderr).toBe("");
    expect(registered.exitCode).toBe(0);
    expect((JSON.parse(registered.stdout) as { registered: ConsumerRow[] }).registered).toEqual([
      expect.objectContaining({ resourceId: strayId }),
    ]);
    const binding = (await (await stack.call(`/api/bindings/${stack.vaultName}/cmk-disc`)).json()) as {
      targets: Array<{ resourceId: string; mode: string }>;
      policy: { retireAfter?: string };
    };
    expect(binding.targets.map((target) => target.resourceId).sort()).toEqual(
      [key.storageIds.stdiscbound, strayId].sort(),
    );
    expect(binding.policy.retireAfter).toBe("P30D");

    const rotation = await postRotation(stack, key.keyId);
    const record = await waitForRotation(stack, rotation.id);
    expect(record.status).toBe("Completed");
    expect(stack.arm.storageAccounts().find((account) => account.name === "stdiscstray")?.keyVersion).toBe(
      record.newVersion,
    );
    await waitForStep(stack, rotation.instanceId, "WaitingToRetire");
    await stack.advance(31 * DAY_MS);
    await stack.host.waitForInstance(rotation.instanceId, { timeoutMs: 20_000 });
    const versions = await versionsOf(stack, "cmk-disc");
    expect(versions.map((version) => version.enabled)).toEqual([true, false, false]);
    expect((await decisions("cmk-disc", "drift")).map((decision) => decision.reason).sort()).toEqual([
      "DriftDetected",
      "DriftResolved",
    ]);
  });

  it("disables nothing when Resource Graph fails", async () => {
    const down = await seedKey(stack, {
      keyName: "cmk-rgdown",
      storage: [{ name: "strgdown", mode: "pinned" }],
      policy: { retireAfter: "P30D" },
    });
    const rotation = await postRotation(stack, down.keyId);
    const record = await waitForRotation(stack, rotation.id);
    expect(record.status).toBe("Completed");
    await waitForStep(stack, rotation.instanceId, "WaitingToRetire");
    // Faults only around the retirement itself (a month of failing daily sweeps would be slow, not more telling).
    const retireAtMs = (
      stack.host.getStatus(rotation.instanceId)?.customStatus as { retireNotBefore?: string }
    ).retireNotBefore;
    expect(retireAtMs).toBeTruthy();
    await stack.advance(Date.parse(retireAtMs!) - stack.clock.now() - 60_000);
    expect((await versionsOf(stack, "cmk-rgdown")).map((version) => version.enabled)).toEqual([true, true]);
    stack.arm.setResourceGraphFaults({ errorRate: 1, statuses: [503] });
    try {
      await stack.advance(120_000);
      await stack.host.waitForInstance(rotation.instanceId, { timeoutMs: 60_000 });
      expect((await versionsOf(stack, "cmk-rgdown")).map((version) => version.enabled)).toEqual([true, true]);
      const [kept] = (await decisions("cmk-rgdown", "retirement")).filter(
        (decision) => decision.reason === "VersionRetained",
      );
      expect(kept.detail).toMatch(/could not all be read.*next sweep tries again/);
    } finally {
      stack.arm.clearResourceGraphFaults();
    }
  }, 120_000);

  it("adopts discovered consumers as targets in their own mode when the policy says so", async () => {
    const adopting = await seedKey(stack, {
      keyName: "cmk-adopt",
      storage: [{ name: "stadoptbound", mode: "pinned" }],
    });
    const pinned = await stack.arm.seedStorageAccount({
      name: "stadoptpinned",
      subscriptionId: SECOND_SUBSCRIPTION_ID,
      customerManagedKey: {
        vaultName: stack.vaultName,
        keyName: "cmk-adopt",
        keyVersion: adopting.firstVersion,
      },
    });
    const binding = await stack.call(`/api/bindings/${stack.vaultName}/cmk-adopt`, {
      method: "PUT",
      body: JSON.stringify({
        targets: [{ kind: "storageAccount", resourceId: adopting.storageIds.stadoptbound, mode: "pinned" }],
        policy: { adoptDiscovered: true },
      }),
    });
    expect(binding.status).toBe(200);
    const record = await waitForRotation(stack, (await postRotation(stack, adopting.keyId)).id);
    expect(record.status).toBe("Completed");
    expect(record.targets).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ resourceId: pinned.id, mode: "pinned", status: "Verified" }),
      ]),
    );
    expect(stack.arm.storageAccounts().find((account) => account.name === "stadoptpinned")?.keyVersion).toBe(
      record.newVersion,
    );
  });

  it("walks every key of every allow-listed vault with discover --all, with progress", async () => {
    const all = await cli(["discover", "--all", "--json", "--progress"]);
    expect(all.exitCode).toBe(0);
    const keys = (JSON.parse(all.stdout) as { value: Array<{ key: string; consumers: ConsumerRow[] }> })
      .value;
    expect(keys.map((entry) => entry.key)).toEqual(
      expect.arrayContaining([`${stack.vaultName}/cmk-disc`, `${stack.vaultName}/cmk-adopt`]),
    );
    expect(all.stderr).toMatch(new RegExp(`^discover: 1/${keys.length} `, "m"));
  });
});
