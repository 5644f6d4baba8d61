// End to end through the local host: Key Vault events in both schemas, delivered several times, make exactly one version; a portal version is propagated.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startE2eStack, type E2eStack } from "../../support/e2eStack";
import {
  auditOf,
  eventually,
  firstRotationFinished,
  historyOf,
  seedKey,
  versionsOf,
  waitForRotation,
} from "./seedEstate";

const DAY_MS = 86_400_000;
let stack: E2eStack;

beforeAll(async () => {
  stack = await startE2eStack({ eventSchema: "EventGridSchema" });
  await stack.keyVault.addEventSubscription(stack.vaultName, {
    endpointUrl: stack.host.eventGridWebhookUrl("keyVaultEvents"),
    schema: "CloudEventSchemaV1_0",
  });
});

afterAll(async () => {
  await stack?.stop();
});

const pinnedVersionOf = (accountName: string) =>
  stack.arm.storageAccounts().find((account) => account.name === accountName)?.keyVersion;

describe("Key Vault events", () => {
  it("rotates once for a near-expiry event delivered three times in both schemas", async () => {
    const seeded = await seedKey(stack, {
      keyName: "cmk-near",
      expiresInDays: 31,
      storage: [{ name: "stnearpinned", mode: "pinned" }],
    });
    stack.keyVault.duplicateNextDeliveries(stack.vaultName, 2);
    await stack.advance(2 * DAY_MS);
    const deliveries = stack.keyVault
      .listDeliveries(stack.vaultName)
      .filter((delivery) => JSON.stringify(delivery).includes("KeyNearExpiry"));
    expect(deliveries.length).toBeGreaterThanOrEqual(3);

    const finished = await firstRotationFinished(stack, "cmk-near");
    expect(finished).toMatchObject({
      status: "Completed",
      trigger: "KeyNearExpiry",
      previousVersion: seeded.firstVersion,
    });
    await stack.host.whenIdle();
    expect(await versionsOf(stack, "cmk-near")).toHaveLength(2);
    expect(await historyOf(stack, "cmk-near")).toHaveLength(1);
    // Every extra delivery left one record saying why it started nothing.
    const decisions = await auditOf(stack).listDecisions({ vaultName: stack.vaultName, keyName: "cmk-near" });
    const nearExpiryDuplicates = decisions.filter(
      (decision) => decision.kind === "duplicate" && decision.source?.includes("KeyNearExpiry"),
    );
    expect(nearExpiryDuplicates.length).toBe(deliveries.length - 1);
    expect(pinnedVersionOf("stnearpinned")).toBe(finished.newVersion);
    // One row per target per step per attempt, written by the orchestration from what its attempt returned.
    const attempts = await auditOf(stack).listTargetAttempts(finished.id);
    expect(attempts.map(({ step, attempt, status }) => ({ step, attempt, status }))).toEqual(
      expect.arrayContaining([
        { step: "apply", attempt: 1, status: "Applied" },
        { step: "verify", attempt: 1, status: "Verified" },
      ]),
    );
    expect(attempts).toHaveLength(2);
  });

  it("propagates a version made in the portal to pinned targets without making another", async () => {
    const seeded = await seedKey(stack, {
      keyName: "cmk-portal",
      storage: [{ name: "stportalpinned", mode: "pinned" }],
    });
    const portalVersion = (await stack.operatorKeys().rotateKey("cmk-portal")).properties.version!;
    await stack.keyVault.waitForDeliveries(stack.vaultName);
    await eventually(
      () => pinnedVersionOf("stportalpinned") === portalVersion || undefined,
      "the portal version on the account",
    );
    const [rotation] = await historyOf(stack, "cmk-portal");
    const finished = await waitForRotation(stack, rotation.id);
    expect(finished).toMatchObject({
      status: "Completed",
      trigger: "KeyNewVersionCreated",
      newVersion: portalVersion,
      previousVersion: seeded.firstVersion,
    });
    expect(await versionsOf(stack, "cmk-portal")).toHaveLength(2);
  });

  it("rotates at once on KeyExpired for the current version (CloudEvents, camelCase data)", async () => {
    const seeded = await seedKey(stack, {
      keyName: "cmk-expired",
      storage: [{ name: "stexpiredpinned", mode: "pinned" }],
    });
    const cloudEvent = {
      id: "expired-1",
      source: stack.keyVault.vaults[stack.vaultName].armId,
      subject: seeded.keyName,
      type: "Microsoft.KeyVault.KeyExpired",
      time: new Date(stack.clock.now()).toISOString(),
      specversion: "1.0",
      data: {
        id: `${seeded.keyId}/${seeded.firstVersion}`,
        vaultName: stack.vaultName,
        objectType: "Key",
        "objectName ": seeded.keyName,
        version: seeded.firstVersion,
        nbf: null,
        exp: "1767000000",
      },
    };
    const response = await fetch(stack.host.eventGridWebhookUrl("keyVaultEvents"), {
      method: "POST",
      headers: {
        "content-type": "application/cloudevents+json; charset=utf-8",
        "aeg-event-type": "Notification",
      },
      body: JSON.stringify(cloudEvent),
    });
    expect(response.status).toBeLessThan(300);
    const finished = await firstRotationFinished(stack, seeded.keyName);
    expect(finished).toMatchObject({
      status: "Completed",
      trigger: "KeyExpired",
      previousVersion: seeded.firstVersion,
    });
    expect(pinnedVersionOf("stexpiredpinned")).toBe(finished.newVersion);
  });

  it("answers Event Grid with a failure while the task hub refuses starts, so the redelivery rotates once", async () => {
    const seeded = await seedKey(stack, {
      keyName: "cmk-hubdown",
      expiresInDays: 31,
      storage: [{ name: "sthubdownpinned", mode: "pinned" }],
    });
    stack.host.failOrchestrationStarts({});
    try {
      // Key Vault sends KeyNearExpiry; the clock step returns after its first attempt, which is refused.
      await stack.clock.advance(2 * DAY_MS);
    } finally {
      stack.host.failOrchestrationStarts(undefined);
    }
    const delivery = () =>
      stack.keyVault
        .listDeliveries(stack.vaultName)
        .find((entry) => entry.eventType.endsWith("KeyNearExpiry") && entry.subject === seeded.keyName);
    expect(delivery()).toMatchObject({ lastStatus: 500 });

    // Event Grid retries on its own schedule; the first attempt changed nothing, so the retry is not a duplicate.
    const finished = await firstRotationFinished(stack, seeded.keyName);
    expect(finished).toMatchObject({ status: "Completed", previousVersion: seeded.firstVersion });
    expect(delivery()).toMatchObject({ outcome: "Delivered" });
    expect(await versionsOf(stack, seeded.keyName)).toHaveLength(2);
    expect(pinnedVersionOf("sthubdownpinned")).toBe(finished.newVersion);
  });

  it.each([
    ["another event type", "Microsoft.KeyVault.SecretNearExpiry", "kv-e2e", "1"],
    ["a vault not on the allow-list", "Microsoft.KeyVault.KeyNearExpiry", "kv-elsewhere", "2"],
  ])("acknowledges %s without starting anything", async (_label, eventType, vaultName, suffix) => {
    const seeded = await seedKey(stack, {
      keyName: `cmk-ignored-${suffix}`,
      storage: [{ name: `stignored${suffix}`, mode: "pinned" }],
    });
    const event = {
      id: "ignored-1",
      topic: `/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/${vaultName}`,
      subject: seeded.keyName,
      eventType,
      eventTime: new Date().toISOString(),
      data: {
        Id: `${seeded.keyId}/${seeded.firstVersion}`,
        VaultName: vaultName,
        ObjectType: "Key",
        ObjectName: seeded.keyName,
        Version: seeded.firstVersion,
        NBF: null,
        EXP: "1767000000",
      },
      dataVersion: "1",
      metadataVersion: "1",
    };
    const response = await fetch(stack.host.eventGridWebhookUrl("keyVaultEvents"), {
      method: "POST",
      headers: { "content-type": "application/json", "aeg-event-type": "Notification" },
      body: JSON.stringify([event]),
    });
    expect([200, 202]).toContain(response.status);
    await stack.host.whenIdle();
    expect(await historyOf(stack, seeded.keyName)).toEqual([]);
    expect(await versionsOf(stack, seeded.keyName)).toHaveLength(1);
    const key = vaultName === stack.vaultName ? { vaultName, keyName: seeded.keyName } : undefined;
    const decisions = await auditOf(stack).listDecisions(key);
    expect(decisions.map((decision) => decision.reason)).toContain(
      vaultName === stack.vaultName ? "UnsupportedEventType" : "UnknownVault",
    );
  });
});
