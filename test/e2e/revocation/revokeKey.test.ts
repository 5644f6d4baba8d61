// End to end through the local host: revocation during a running rotation, a 50-version key, and the per-key rate limit.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RotationRecord } from "../../../src/lib/audit";
import {
  auditRows,
  expectNoSecretInAudit,
  startRevocationStack,
  type ErrorBody,
  type RevocationStack,
} from "../../support/revocationStack";
import {
  expectDisabledBeforeStayDisabled,
  enabledStates,
  seedRevocationKey,
  type SeededRevocationKey,
} from "./seedRevocationEstate";

let stack: RevocationStack;
const seeded: SeededRevocationKey[] = [];
const isFinished = (record: { finishedAt: string | null }) => record.finishedAt !== null;

/** A stand-in Event Grid topic on loopback: what the app publishes as outcome events. */
const published: Array<{ eventType: string; subject: string; data: { id: string; status: string } }> = [];
let topic: Server;
const TOPIC_KEY = "e2e-topic-key-not-a-real-secret-0001";

beforeAll(async () => {
  topic = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    request.on("end", () => {
      published.push(...(JSON.parse(body) as typeof published));
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => topic.listen(0, "127.0.0.1", resolve));
  const { port } = topic.address() as AddressInfo;
  stack = await startRevocationStack({
    settings: {
      CMK_NOTIFY_TOPIC_ENDPOINT: `http://127.0.0.1:${port}/api/events`,
      CMK_NOTIFY_TOPIC_KEY: TOPIC_KEY,
    },
  });
});

afterAll(async () => {
  await stack?.stop();
  await new Promise((resolve) => topic?.close(resolve));
});

// Invariant after every test: nothing disabled before a revocation was ever re-enabled, and no audit row holds a secret.
afterEach(async () => {
  await expectDisabledBeforeStayDisabled(stack, seeded);
  await expectNoSecretInAudit(stack);
  expect(JSON.stringify(await auditRows(stack))).not.toContain(TOPIC_KEY);
});

async function rotationOf(id: string): Promise<RotationRecord> {
  return (await (await stack.call(`/api/rotations/${encodeURIComponent(id)}`)).json()) as RotationRecord;
}

describe("revokeKey", () => {
  it("stops a running rotation, records it as interrupted, and no version comes back afterwards", async () => {
    const key = await seedRevocationKey(stack, {
      keyName: "cmk-rotating",
      versionCount: 1,
      versionlessStorageName: "strotating",
    });
    seeded.push(key);
    const started = await stack.call("/api/rotations", {
      method: "POST",
      body: JSON.stringify({ keyId: key.keyId, reason: "quarterly" }),
    });
    expect(started.status).toBe(202);
    const rotationId = ((await started.json()) as { id: string }).id;
    // The rotation made its version and now watches the versionless account (durable timers, virtual clock).
    const deadline = Date.now() + 20_000;
    while (!(await rotationOf(rotationId)).newVersion && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await rotationOf(rotationId)).status).toBe("Running");

    const { response, id } = await stack.revoke(key.keyId);
    expect(response.status).toBe(202);
    const revoked = await stack.waitForRevocation(id!, isFinished);
    expect(revoked).toMatchObject({ status: "Revoked", interruptedRotationId: rotationId });
    expect(revoked.versions).toHaveLength(2);
    expect(revoked.versions.every((entry) => entry.wasEnabled && entry.disabledAt)).toBe(true);
    expect(await rotationOf(rotationId)).toMatchObject({
      status: "Failed",
      detail: expect.stringContaining(`Interrupted by emergency revocation ${id}`),
    });
    expect(stack.host().getStatus("rotate:kv-e2e:cmk-rotating")?.runtimeStatus).toBe("Terminated");
    const decisions = (await auditRows(stack)).filter((row) => String(row.partitionKey).startsWith("d:"));
    expect(
      decisions.map(
        (row) => JSON.parse(String(row.json)) as { kind: string; reason: string; source?: string },
      ),
    ).toContainEqual(
      expect.objectContaining({ kind: "interruption", reason: "RevokedDuringRotation", source: rotationId }),
    );

    // A day passes: the terminated rotation's timers never fire, nothing creates or re-enables a version.
    await stack.base.advance(26 * 3_600_000);
    expect(Object.values(await enabledStates(stack, key.keyName))).toEqual([false, false]);
    expect((await stack.base.arm.dataAccess("strotating")).status).toBe(403);
  });

  it("lets no rotation create or re-enable a version while the key is revoked (the fence)", async () => {
    const key = await seedRevocationKey(stack, {
      keyName: "cmk-fenced",
      versionCount: 2,
      storageName: "stfenced",
    });
    seeded.push(key);
    const { id } = await stack.revoke(key.keyId);
    await stack.waitForRevocation(id!, isFinished);
    const started = await stack.call("/api/rotations", {
      method: "POST",
      body: JSON.stringify({ keyId: key.keyId }),
    });
    if (started.status === 202) {
      const rotationId = ((await started.json()) as { id: string }).id;
      const deadline = Date.now() + 20_000;
      while ((await rotationOf(rotationId)).status === "Running" && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 100));
      expect((await rotationOf(rotationId)).status).not.toBe("Completed");
    }
    expect(Object.values(await enabledStates(stack, key.keyName))).toEqual([false, false]);
  });

  it("disables every version of a 50-version key and remembers each", async () => {
    const key = await seedRevocationKey(stack, {
      keyName: "cmk-fifty",
      versionCount: 50,
      disabledBefore: [3, 17],
    });
    seeded.push(key);
    const { response, id } = await stack.revoke(key.keyId);
    expect(response.status).toBe(202);
    const revoked = await stack.waitForRevocation(id!, isFinished);
    expect(revoked.status).toBe("Revoked");
    expect(revoked.versions).toHaveLength(50);
    // The outcome was published to the notification topic.
    expect(published).toContainEqual(
      expect.objectContaining({
        eventType: "CmkRotator.RevocationRevoked",
        subject: "/vaults/kv-e2e/keys/cmk-fifty",
        data: expect.objectContaining({ id, status: "Revoked" }),
      }),
    );
    const ours = revoked.versions.filter((entry) => entry.wasEnabled);
    expect(ours).toHaveLength(48);
    expect(ours.every((entry) => entry.disabledAt !== null)).toBe(true);
    const states = await enabledStates(stack, key.keyName);
    expect(Object.values(states).filter(Boolean)).toHaveLength(0);

    const { response: restoreResponse, requestId } = await stack.restore(id!);
    expect(restoreResponse.status).toBe(202);
    await stack.waitForRestore(id!, requestId);
    const after = await enabledStates(stack, key.keyName);
    expect(
      Object.entries(after)
        .filter(([, enabled]) => !enabled)
        .map(([version]) => version)
        .sort(),
    ).toEqual([...key.disabledBefore].sort());
  });

  it("rate-limits accepted revoke and restore requests per key with 429 and Retry-After; refusals do not count", async () => {
    const key = await seedRevocationKey(stack, { keyName: "cmk-flap", versionCount: 1 });
    seeded.push(key);
    const { response: first, id } = await stack.revoke(key.keyId);
    expect(first.status).toBe(202);
    // Refused while revoked: changes nothing, so spends no slot.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      expect((await stack.revoke(key.keyId)).response.status).toBe(409);
    }
    await stack.waitForRevocation(id!, isFinished);
    // Five more accepted requests fill the window of six: restore, revoke, restore, revoke, restore.
    let revocationId = id!;
    for (let accepted = 1; accepted < 6; accepted += 1) {
      if (accepted % 2 === 1) {
        const { response, requestId } = await stack.restore(revocationId);
        expect(response.status).toBe(202);
        await stack.waitForRestore(revocationId, requestId);
      } else {
        const { response, id: next } = await stack.revoke(key.keyId);
        expect(response.status).toBe(202);
        revocationId = next!;
        await stack.waitForRevocation(revocationId, isFinished);
      }
    }
    const limited = (await stack.revoke(key.keyId)).response;
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await limited.json()) as ErrorBody).error.code).toBe("TooManyRequests");
  });

  // Last in this file: it moves the shared virtual clock 15 days on.
  it("stamps a revocation's and its restore's times from one clock, even after the clock jumped", async () => {
    const key = await seedRevocationKey(stack, { keyName: "cmk-clock", versionCount: 2 });
    seeded.push(key);
    await stack.base.advance(15 * 86_400_000);
    const requestedAtMs = stack.base.clock.now();
    const { id } = await stack.revoke(key.keyId);
    const revoked = await stack.waitForRevocation(id!, isFinished);
    expect(Date.parse(revoked.startedAt)).toBeGreaterThanOrEqual(requestedAtMs);
    expect(Date.parse(revoked.startedAt)).toBeLessThanOrEqual(Date.parse(revoked.finishedAt ?? ""));

    const { requestId } = await stack.restore(id!);
    const restored = await stack.waitForRestore(id!, requestId);
    const restore = restored.restore!;
    expect(Date.parse(restore.startedAt)).toBeGreaterThanOrEqual(Date.parse(revoked.finishedAt ?? ""));
    expect(Date.parse(restore.startedAt)).toBeLessThanOrEqual(Date.parse(restore.finishedAt ?? ""));
    // One history entry for the revocation and its restore, in its latest state.
    const history = (await (
      await stack.call(`/api/keys/${stack.base.vaultName}/cmk-clock/history`)
    ).json()) as { value: Array<{ id: string; status: string }> };
    expect(history.value.map((entry) => [entry.id, entry.status])).toEqual([[id, "Restored"]]);
  });
});
