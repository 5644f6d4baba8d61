// End to end through the local host: the previous version is disabled after retireAfter, never while a target pins it, never deleted.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startE2eStack, type E2eStack } from "../../support/e2eStack";
import { postRotation, seedKey, versionsOf, waitForRotation, waitForStep } from "./seedEstate";

const DAY_MS = 86_400_000;
let stack: E2eStack;

beforeAll(async () => {
  stack = await startE2eStack({ eventSchema: "none" });
});

afterAll(async () => {
  await stack?.stop();
});

describe("retirement", () => {
  it("disables the previous version after 30 days unless a target still pins it", async () => {
    const free = await seedKey(stack, {
      keyName: "cmk-retire",
      storage: [{ name: "stretirepinned", mode: "pinned" }],
      policy: { retireAfter: "P30D" },
    });
    const pinned = await seedKey(stack, {
      keyName: "cmk-keep",
      storage: [{ name: "stkeeppinned", mode: "pinned" }],
      policies: [{ name: "ep-keep", mode: "pinned", linked: true }],
      policy: { retireAfter: "P30D" },
    });
    const freeRotation = await postRotation(stack, free.keyId);
    const pinnedRotation = await postRotation(stack, pinned.keyId);
    const freeRecord = await waitForRotation(stack, freeRotation.id);
    const pinnedRecord = await waitForRotation(stack, pinnedRotation.id);
    expect(freeRecord.status).toBe("Completed");
    expect(pinnedRecord.status).toBe("PartiallyApplied");
    expect(
      pinnedRecord.targets.find((target: { kind: string }) => target.kind === "powerPlatformPolicy"),
    ).toMatchObject({
      status: "ActionRequired",
      detail: expect.any(String),
    });
    await waitForStep(stack, freeRotation.instanceId, "WaitingToRetire");
    await waitForStep(stack, pinnedRotation.instanceId, "WaitingToRetire");

    await stack.advance(29 * DAY_MS);
    expect((await versionsOf(stack, "cmk-retire")).map((version) => version.enabled)).toEqual([true, true]);

    await stack.advance(2 * DAY_MS);
    await stack.host.waitForInstance(freeRotation.instanceId, { timeoutMs: 20_000 });
    await stack.host.waitForInstance(pinnedRotation.instanceId, { timeoutMs: 20_000 });
    const retired = await versionsOf(stack, "cmk-retire");
    expect(retired.map((version) => [version.version, version.enabled])).toEqual([
      [freeRecord.newVersion, true],
      [free.firstVersion, false],
    ]);
    const kept = await versionsOf(stack, "cmk-keep");
    expect(kept.map((version) => version.enabled)).toEqual([true, true]);
    expect(kept.map((version) => version.version)).toContain(pinned.firstVersion);
  });
});
