// End to end through the local host: at-least-once activities, Key Vault 503s and ARM 429s still end in one new version, completed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RotationRecord } from "../../../src/lib/audit";
import { startE2eStack, type E2eStack } from "../../support/e2eStack";
import { driveUntilFinished, postRotation, seedKey, versionsOf } from "./seedEstate";

let stack: E2eStack;

beforeAll(async () => {
  stack = await startE2eStack({ eventSchema: "none" });
});

afterAll(async () => {
  await stack?.stop();
});

const pinnedVersionOf = (accountName: string) =>
  stack.arm.storageAccounts().find((account) => account.name === accountName)?.keyVersion;

describe("resilience", () => {
  it.each(["twice", "dropFirstCompletion"] as const)(
    "makes one version with every activity run %s",
    async (mode) => {
      const seeded = await seedKey(stack, {
        keyName: `cmk-alo-${mode.toLowerCase()}`,
        storage: [{ name: `stalo${mode.length}`, mode: "pinned" }],
      });
      stack.host.setAtLeastOnce(mode);
      try {
        const { id } = await postRotation(stack, seeded.keyId);
        const record = await driveUntilFinished(stack, id);
        expect(record.status).toBe("Completed");
      } finally {
        stack.host.setAtLeastOnce("off");
      }
      const versions = await versionsOf(stack, seeded.keyName);
      expect(versions).toHaveLength(2);
      expect(pinnedVersionOf(`stalo${mode.length}`)).toBe(versions[0].version);
    },
  );

  it("completes through injected Key Vault 503s and ARM 429s", async () => {
    const seeded = await seedKey(stack, {
      keyName: "cmk-faults",
      storage: [
        { name: "stfaultsa", mode: "pinned" },
        { name: "stfaultsb", mode: "pinned" },
      ],
    });
    stack.keyVault.setFaults(stack.vaultName, { errorRate: 0.3, statuses: [503] });
    stack.arm.setFaults({ errorRate: 0.3, statuses: [429] });
    let record: RotationRecord;
    try {
      const { id } = await postRotation(stack, seeded.keyId);
      record = await driveUntilFinished(stack, id);
    } finally {
      stack.keyVault.clearFaults();
      stack.arm.clearFaults();
    }
    expect(record.status).toBe("Completed");
    expect(await versionsOf(stack, "cmk-faults")).toHaveLength(2);
    expect(pinnedVersionOf("stfaultsa")).toBe(record.newVersion);
    expect(pinnedVersionOf("stfaultsb")).toBe(record.newVersion);
  });
});
