// End to end through the local host: the signed revocation webhook, its refusals (also a replay across a host restart), and restore.
import { randomUUID } from "node:crypto";
import { TableClient } from "@azure/data-tables";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  expectNoSecretInAudit,
  rejectionCount,
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
const isFinished = (record: { status: string }) => record.status !== "Running";

beforeAll(async () => {
  stack = await startRevocationStack();
});

afterAll(async () => {
  await stack?.stop();
});

// Invariant after every test: nothing disabled before a revocation was ever re-enabled, and no audit row holds a secret.
afterEach(async () => {
  await expectDisabledBeforeStayDisabled(stack, seeded);
  await expectNoSecretInAudit(stack);
});

describe("revocation webhook", () => {
  it("registers the signed doors anonymous (the signature is the auth) and the GET with the function key", () => {
    const doors = Object.fromEntries(stack.host().functions.map((entry) => [entry.name, entry]));
    expect(doors.startRevocation).toMatchObject({
      route: "revocations",
      methods: ["POST"],
      authLevel: "anonymous",
    });
    expect(doors.restoreRevocation).toMatchObject({
      route: "revocations/{id}/restore",
      methods: ["POST"],
      authLevel: "anonymous",
    });
    expect(doors.getRevocation).toMatchObject({
      route: "revocations/{id}",
      methods: ["GET"],
      authLevel: "function",
    });
    expect(Object.keys(doors)).toEqual(
      expect.arrayContaining(["revokeKey", "restoreKey", "revokeKey_takeOverKey"]),
    );
  });

  it("revokes a key end to end, cuts every consumer off, and restores exactly what it disabled (twice harmlessly)", async () => {
    const key = await seedRevocationKey(stack, {
      keyName: "cmk-happy",
      versionCount: 3,
      disabledBefore: [0],
      storageName: "sthappy",
      policyName: "ep-happy",
    });
    seeded.push(key);
    const { response, id } = await stack.revoke(key.keyId, "credential leak");
    expect(response.status).toBe(202);
    expect(response.headers.get("location")).toContain(`/api/revocations/${id}`);

    const revoked = await stack.waitForRevocation(id!, isFinished);
    expect(revoked).toMatchObject({
      id,
      keyId: key.keyId,
      status: "Revoked",
      reason: "credential leak",
      interruptedRotationId: null,
    });
    const byVersion = Object.fromEntries(revoked.versions.map((entry) => [entry.version, entry]));
    expect(byVersion[key.versions[0]]).toMatchObject({ wasEnabled: false, disabledAt: null });
    expect(byVersion[key.versions[1]]).toMatchObject({ wasEnabled: true, disabledAt: expect.any(String) });
    expect(byVersion[key.versions[2]]).toMatchObject({ wasEnabled: true, disabledAt: expect.any(String) });
    expect(Object.values(await enabledStates(stack, key.keyName))).toEqual([false, false, false]);

    // Every consumer is cut off: storage cannot unwrap, the policy is Unhealthy, its environment Locked.
    expect((await stack.base.arm.dataAccess("sthappy")).status).toBe(403);
    const policy = (await stack.base.arm.enterprisePolicies()).find(
      (candidate) => candidate.id === key.policyId,
    )!;
    expect(policy.healthStatus).toBe("Unhealthy");
    expect(
      (await stack.base.arm.environments()).find((environment) => environment.id === key.environmentId)
        ?.state,
    ).toBe("Locked");
    expect(revoked.targets.map((target) => [target.kind, target.status])).toEqual([
      ["storageAccount", "Verifying"],
      ["powerPlatformPolicy", "Verified"],
    ]);
    expect(revoked.environments).toEqual([
      expect.objectContaining({ id: key.environmentId, state: "Locked" }),
    ]);

    // GET needs the function key; the history lists the revocation.
    expect((await stack.call(`/api/revocations/${id}`, { key: null })).status).toBe(401);
    const history = (await (
      await stack.call(`/api/keys/${stack.base.vaultName}/${key.keyName}/history`)
    ).json()) as { value: Array<{ kind: string; id: string }> };
    expect(history.value.map((entry) => [entry.kind, entry.id])).toContainEqual(["revocation", id]);

    const first = await stack.restore(id!);
    expect(first.response.status).toBe(202);
    const restored = await stack.waitForRestore(id!, first.requestId);
    expect(restored).toMatchObject({
      status: "Restored",
      restore: { status: "Restored", reason: "all clear" },
    });
    const states = await enabledStates(stack, key.keyName);
    expect([states[key.versions[0]], states[key.versions[1]], states[key.versions[2]]]).toEqual([
      false,
      true,
      true,
    ]);
    expect((await stack.base.arm.dataAccess("sthappy")).status).toBe(200);
    expect(
      (await stack.base.arm.enterprisePolicies()).find((candidate) => candidate.id === key.policyId)
        ?.healthStatus,
    ).toBe("Healthy");
    // The binding allows it (default reenableEnvironments): the environment was re-enabled through the admin API.
    expect(
      (await stack.base.arm.environments()).find((environment) => environment.id === key.environmentId)
        ?.state,
    ).toBe("Enabled");
    expect(restored.targets.find((target) => target.kind === "powerPlatformPolicy")?.status).toBe("Verified");

    const second = await stack.restore(id!);
    expect(second.response.status).toBe(202);
    const again = await stack.waitForRestore(id!, second.requestId);
    expect(again.status).toBe("Restored");
    expect(again.versions).toEqual(restored.versions);
    expect(await enabledStates(stack, key.keyName)).toEqual(states);
  });

  it("restores without re-enabling environments when told so, naming them for an admin", async () => {
    const key = await seedRevocationKey(stack, {
      keyName: "cmk-manual",
      versionCount: 1,
      policyName: "ep-manual",
    });
    seeded.push(key);
    const { id } = await stack.revoke(key.keyId);
    await stack.waitForRevocation(id!, isFinished);
    // A revoked key is not rotated: Key Vault refuses to read its disabled current version.
    const rotation = await stack.call("/api/rotations", {
      method: "POST",
      body: JSON.stringify({ keyId: key.keyId, dryRun: true }),
    });
    expect(rotation.status).toBe(409);
    expect(((await rotation.json()) as ErrorBody).error.code).toBe("KeyRevoked");
    const { response, requestId } = await stack.restore(id!, { reenableEnvironments: false });
    expect(response.status).toBe(202);
    const restored = await stack.waitForRestore(id!, requestId);
    expect(restored.status).toBe("Restored");
    expect(restored.targets[0]).toMatchObject({
      status: "ActionRequired",
      detail: expect.stringContaining(key.environmentId!),
    });
    expect(restored.environments).toEqual([
      expect.objectContaining({ id: key.environmentId, state: "Locked" }),
    ]);
    expect(
      (await stack.base.arm.environments()).find((environment) => environment.id === key.environmentId)
        ?.state,
    ).toBe("Locked");
  });

  it("refuses to restore an unknown revocation (404) and a revocation that is still running (409)", async () => {
    const unknown = await stack.restore("00000000-0000-4000-8000-000000000000");
    expect(unknown.response.status).toBe(404);
    expect(((await unknown.response.json()) as ErrorBody).error.code).toBe("RevocationNotFound");
    expect((await stack.call("/api/revocations/not-a-revocation")).status).toBe(404);

    const key = await seedRevocationKey(stack, { keyName: "cmk-busy", versionCount: 1 });
    seeded.push(key);
    const { id } = await stack.revoke(key.keyId);
    // A second revocation of the same key: in progress (RevocationInProgress) or done (KeyRevoked), never twice.
    const second = await stack.revoke(key.keyId);
    expect(second.response.status).toBe(409);
    expect(["RevocationInProgress", "KeyRevoked"]).toContain(
      ((await second.response.json()) as ErrorBody).error.code,
    );
    // A restore that arrives while revokeKey still runs is refused; one that arrives after it is accepted.
    const early = await stack.restore(id!);
    expect([202, 409]).toContain(early.response.status);
    await stack.waitForRevocation(
      id!,
      (record) => record.finishedAt !== null && record.status !== "Restoring",
    );
  });

  /** Rows the key's revoke/restore rate limit counts (one per accepted request). */
  const rateLimitRows = async (keyName: string) => {
    const table = TableClient.fromConnectionString(stack.base.azurite.connectionString, "cmkratelimits", {
      allowInsecureConnection: true,
    });
    let count = 0;
    for await (const row of table.listEntities()) if (String(row.partitionKey).includes(keyName)) count += 1;
    return count;
  };

  it("answers 503 when the task hub refuses to start a revocation or restore, and leaves its record saying so", async () => {
    const key = await seedRevocationKey(stack, { keyName: "cmk-hubdown", versionCount: 2 });
    seeded.push(key);
    const before = await enabledStates(stack, key.keyName);
    const refusedWhileHubDown = async (send: () => Promise<{ response: Response }>) => {
      stack.host().failOrchestrationStarts({});
      try {
        const { response } = await send();
        expect(response.status).toBe(503);
        const { error } = (await response.json()) as ErrorBody;
        expect(error.code).toBe("DependencyUnavailable");
        expect(error.message).toContain("nothing was started");
      } finally {
        stack.host().failOrchestrationStarts(undefined);
      }
    };

    await refusedWhileHubDown(() => stack.revoke(key.keyId, "hub down"));
    expect(await enabledStates(stack, key.keyName)).toEqual(before);
    // The refused request gave its rate-limit slot back: it flapped nothing.
    expect(await rateLimitRows(key.keyName)).toBe(0);
    const history = (await (
      await stack.call(`/api/keys/${stack.base.vaultName}/${key.keyName}/history`)
    ).json()) as { value: Array<Record<string, unknown>> };
    expect(history.value).toEqual([
      expect.objectContaining({
        kind: "revocation",
        status: "Failed",
        finishedAt: expect.any(String),
        detail: expect.stringContaining("nothing was started"),
      }),
    ]);

    // The failed start left no fence and no instance: the key can be revoked at once.
    const { response, id } = await stack.revoke(key.keyId, "hub back");
    expect(response.status).toBe(202);
    expect(await stack.waitForRevocation(id!, isFinished)).toMatchObject({ status: "Revoked" });

    // A restore the task hub refuses leaves the revocation exactly as it was (not Restoring forever).
    expect(await rateLimitRows(key.keyName)).toBe(1);
    await refusedWhileHubDown(() => stack.restore(id!));
    expect(await rateLimitRows(key.keyName)).toBe(1);
    expect(await (await stack.call(`/api/revocations/${id}`)).json()).toMatchObject({
      status: "Revoked",
      restore: null,
    });
    const restore = await stack.restore(id!);
    expect(restore.response.status).toBe(202);
    const restored = await stack.waitForRestore(id!, restore.requestId);
    expect(restored.status).toBe("Restored");
    expect(await enabledStates(stack, key.keyName)).toEqual(before);
  });

  describe("refusals change nothing in Key Vault and leave one audit record each", () => {
    let key: SeededRevocationKey;
    let before: Record<string, boolean>;
    beforeAll(async () => {
      key = await seedRevocationKey(stack, { keyName: "cmk-refuse", versionCount: 2, disabledBefore: [0] });
      seeded.push(key);
      before = await enabledStates(stack, key.keyName);
    });

    const body = () => ({ keyId: key.keyId, reason: "test", requestId: randomUUID() });
    const nowS = () => Math.floor(Date.now() / 1000);
    it.each([
      ["no signature", () => stack.sign(body(), { omit: ["signature"] }), 401, "MissingSignature"],
      [
        "the wrong secret",
        () => stack.sign(body(), { secret: "not-the-secret-0123456789abcdefghij" }),
        401,
        "SignatureMismatch",
      ],
      [
        "a body changed after signing",
        () => {
          const signed = stack.sign(body());
          return { ...signed, body: signed.body.replace('"test"', '"tset"') };
        },
        401,
        "SignatureMismatch",
      ],
      [
        "a timestamp 301 s old",
        () => stack.sign(body(), { timestampSeconds: nowS() - 301 }),
        401,
        "TimestampOutOfWindow",
      ],
      [
        "a timestamp 301 s in the future",
        () => stack.sign(body(), { timestampSeconds: nowS() + 301 }),
        401,
        "TimestampOutOfWindow",
      ],
      ["malformed JSON", () => stack.sign('{"keyId": oops'), 400, "InvalidJson"],
      [
        "an unknown key",
        () => stack.sign({ ...body(), keyId: `${stack.base.vaultUrl()}/keys/no-such-key` }),
        404,
        "KeyNotFound",
      ],
    ])("refuses %s", async (_name, build, status, code) => {
      const rejectionsBefore = await rejectionCount(stack);
      const response = await stack.post("/api/revocations", build());
      expect(response.status).toBe(status);
      expect(await response.json()).toEqual({ error: { code, message: expect.any(String) } });
      expect(await enabledStates(stack, key.keyName)).toEqual(before);
      expect(await rejectionCount(stack)).toBe(rejectionsBefore + 1);
    });

    it("refuses a replayed requestId, also after the host restarts on the same storage", async () => {
      const other = await seedRevocationKey(stack, { keyName: "cmk-replay", versionCount: 2 });
      seeded.push(other);
      const { response, id, signed } = await stack.revoke(other.keyId);
      expect(response.status).toBe(202);
      await stack.waitForRevocation(id!, isFinished);
      const revokedStates = await enabledStates(stack, other.keyName);

      const replay = await stack.post("/api/revocations", signed);
      expect(replay.status).toBe(401);
      expect(((await replay.json()) as ErrorBody).error.code).toBe("ReplayedRequest");

      await stack.restartHost();
      const rejectionsBefore = await rejectionCount(stack);
      const afterRestart = await stack.post("/api/revocations", signed);
      expect(afterRestart.status).toBe(401);
      expect(((await afterRestart.json()) as ErrorBody).error.code).toBe("ReplayedRequest");
      expect(await rejectionCount(stack)).toBe(rejectionsBefore + 1);
      expect(await enabledStates(stack, other.keyName)).toEqual(revokedStates);
      expect(await enabledStates(stack, key.keyName)).toEqual(before);
    });
  });
});
