// The per-key singleton: a busy rotation wins (409), a rotation waiting only to retire is superseded, revocation blocks.
import type { DurableClient } from "durable-functions";
import { describe, expect, it } from "vitest";
import { instanceNotFound } from "../../../support/durableClientErrors";
import { revocationInstanceId, rotationInstanceId } from "../../../../src/lib/keys";
import { deterministicRotationId, startRotation } from "../../../../src/starters/rotations/startRotation";

const key = { vaultName: "kv1", keyName: "cmk" };

/** An in-memory stand-in for the durable client's instance table. */
function fakeClient(
  instances: Record<string, { runtimeStatus: string; customStatus?: unknown; input?: unknown }>,
) {
  const calls: string[] = [];
  const client = {
    getStatus: (id: string) => {
      const found = instances[id];
      return found ? Promise.resolve({ instanceId: id, ...found }) : Promise.reject(instanceNotFound(id));
    },
    terminate: (id: string) => {
      calls.push(`terminate ${id}`);
      instances[id] = { runtimeStatus: "Terminated" };
      return Promise.resolve();
    },
    startNew: async (name: string, options: { instanceId: string; input: unknown }) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      calls.push(`start ${name} ${options.instanceId}`);
      instances[options.instanceId] = { runtimeStatus: "Pending", input: options.input };
      return options.instanceId;
    },
  };
  return { client: client as unknown as DurableClient, calls };
}

const request = { key, trigger: "Http" as const, reason: "test", mode: "rotate" as const };

describe("startRotation", () => {
  it("starts under the key's instance id", async () => {
    const { client, calls } = fakeClient({});
    const outcome = await startRotation(client, request);
    expect(outcome).toMatchObject({ started: true, instanceId: rotationInstanceId(key) });
    expect(calls).toEqual([`start rotateKey ${rotationInstanceId(key)}`]);
  });

  it("lets only one of two concurrent requests start", async () => {
    const { client } = fakeClient({});
    const outcomes = await Promise.all([startRotation(client, request), startRotation(client, request)]);
    expect(outcomes.filter((outcome) => outcome.started)).toHaveLength(1);
    const refused = outcomes.find((outcome) => !outcome.started);
    const started = outcomes.find((outcome) => outcome.started);
    expect(refused).toMatchObject({
      reason: "RotationInProgress",
      runningId: started && started.started ? started.rotationId : "?",
    });
  });

  it("answers with the winner's id when another worker's start lands first, and withdraws its own record", async () => {
    const instances: Record<string, { runtimeStatus: string; customStatus?: unknown }> = {};
    const { client } = fakeClient(instances);
    // Another worker starts the key's rotation between this worker's check and its own start.
    (client as unknown as { startNew: () => Promise<never> }).startNew = () => {
      instances[rotationInstanceId(key)] = {
        runtimeStatus: "Running",
        customStatus: { rotationId: "r-other" },
      };
      return Promise.reject(new Error("The operation failed with an unexpected status code: 409."));
    };
    const records: string[] = [];
    const outcome = await startRotation(client, request, {
      write: (input) => Promise.resolve(void records.push(`write ${input.rotationId}`)),
      withdraw: (input, why) =>
        Promise.resolve(
          void records.push(`withdraw ${input.rotationId} anotherStartWon=${why.anotherStartWon}`),
        ),
    });
    expect(outcome).toEqual({
      started: false,
      reason: "RotationInProgress",
      runningId: "r-other",
      instanceId: rotationInstanceId(key),
    });
    expect(records).toEqual([
      expect.stringMatching(/^write /),
      expect.stringMatching(/^withdraw .* anotherStartWon=true$/),
    ]);
  });

  it("answers with the running rotation id while one works", async () => {
    const { client, calls } = fakeClient({
      [rotationInstanceId(key)]: {
        runtimeStatus: "Running",
        customStatus: { rotationId: "r-running", step: "UpdatingTargets" },
      },
    });
    expect(await startRotation(client, request)).toMatchObject({
      started: false,
      reason: "RotationInProgress",
      runningId: "r-running",
    });
    expect(calls).toEqual([]);
  });

  it("supersedes a rotation that only waits to retire", async () => {
    const { client, calls } = fakeClient({
      [rotationInstanceId(key)]: {
        runtimeStatus: "Running",
        customStatus: { rotationId: "r-old", step: "WaitingToRetire" },
      },
    });
    expect(await startRotation(client, request)).toMatchObject({
      started: true,
      supersededRotationId: "r-old",
    });
    expect(calls[0]).toBe(`terminate ${rotationInstanceId(key)}`);
  });

  it("does not start while the key is being revoked, and names the revocation (not its instance)", async () => {
    const { client } = fakeClient({
      [revocationInstanceId(key)]: { runtimeStatus: "Running", customStatus: { revocationId: "rev-7" } },
    });
    expect(await startRotation(client, request)).toMatchObject({
      started: false,
      reason: "RevocationInProgress",
      runningId: "rev-7",
    });
  });

  it("does not start while the key's revocation is suspended either (same active states as the revocation doors)", async () => {
    const { client, calls } = fakeClient({ [revocationInstanceId(key)]: { runtimeStatus: "Suspended" } });
    expect(await startRotation(client, request)).toMatchObject({
      started: false,
      reason: "RevocationInProgress",
    });
    expect(calls).toEqual([]);
  });

  it("uses a given deterministic rotation id", async () => {
    const { client } = fakeClient({});
    expect(await startRotation(client, { ...request, rotationId: "keynearexpiry.kv1.cmk.v1" })).toMatchObject(
      { rotationId: "keynearexpiry.kv1.cmk.v1" },
    );
  });
});

describe("deterministicRotationId", () => {
  it("is the same for the same cause and table-safe", () => {
    const id = deterministicRotationId("KeyNearExpiry", "KV1", "cmk/x", "ab12");
    expect(id).toBe(deterministicRotationId("KeyNearExpiry", "kv1", "cmk/x", "AB12"));
    expect(id).toMatch(/^[0-9a-z.-]+$/);
  });
});
