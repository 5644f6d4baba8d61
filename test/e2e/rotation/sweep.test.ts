// End to end through the local host: the scheduled sweep rotates a due key once and repairs a drifted pinned target.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startE2eStack, type E2eStack } from "../../support/e2eStack";
import { historyOf, seedKey, versionsOf } from "./seedEstate";

const DAY_MS = 86_400_000;
let stack: E2eStack;

beforeAll(async () => {
  stack = await startE2eStack({ eventSchema: "none", sweepSchedule: "0 0 */6 * * *" });
});

afterAll(async () => {
  await stack?.stop();
});

describe("scheduled sweep", () => {
  it("rotates a key when rotateEvery has passed and repairs drift, after a clock advance", async () => {
    const due = await seedKey(stack, {
      keyName: "cmk-due",
      storage: [{ name: "stduepinned", mode: "pinned" }],
      policy: { rotateEvery: "P7D" },
    });
    const drifted = await seedKey(stack, {
      keyName: "cmk-drift",
      storage: [{ name: "stdriftpinned", mode: "pinned" }],
    });
    // A version made outside the service with no event delivered: only the sweep can notice.
    const portalVersion = (await stack.operatorKeys().rotateKey("cmk-drift")).properties.version!;

    await stack.advance(8 * DAY_MS);

    const dueVersions = await versionsOf(stack, "cmk-due");
    expect(dueVersions).toHaveLength(2);
    const [dueRotation] = await historyOf(stack, "cmk-due");
    expect(dueRotation).toMatchObject({
      status: "Completed",
      trigger: "ScheduledSweep",
      previousVersion: due.firstVersion,
      newVersion: dueVersions[0].version,
    });
    expect(stack.arm.storageAccounts().find((account) => account.name === "stduepinned")?.keyVersion).toBe(
      dueVersions[0].version,
    );

    expect(stack.arm.storageAccounts().find((account) => account.name === "stdriftpinned")?.keyVersion).toBe(
      portalVersion,
    );
    expect(await versionsOf(stack, "cmk-drift")).toHaveLength(2);
    const sweeps = [...stack.host.durableStore.instances.values()].filter(
      (instance) => instance.name === "sweepKeys",
    );
    expect(sweeps.length).toBeGreaterThan(0);
    for (const instance of sweeps) {
      expect(instance.instanceId).toMatch(/^sweep:/);
      const read = await stack.call(`/api/sweeps/${instance.instanceId.slice("sweep:".length)}`);
      expect(read.status).toBe(200);
      expect(await read.json()).toMatchObject({ status: "Completed", trigger: "Schedule", waiting: [] });
    }

    const [repair] = await historyOf(stack, "cmk-drift");
    expect(repair).toMatchObject({
      status: "Completed",
      trigger: "ScheduledSweep",
      newVersion: portalVersion,
      previousVersion: drifted.firstVersion,
    });
  });
});
