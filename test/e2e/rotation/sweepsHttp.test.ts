// End to end through the local host: POST /api/sweeps (dry run, forced and paced, one at a time, bad input) and GET /api/sweeps/{id}.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rotationInstanceId } from "../../../src/lib/keys";
import { TURN_WINDOW_MS } from "../../../src/orchestrations/sweepKeys/limits";
import { putBinding, startE2eStack, type E2eStack } from "../../support/e2eStack";
import { eventually, versionsOf } from "./seedEstate";

let stack: E2eStack;
/**
 * Each key pins 40 storage accounts: 40 of Storage's provider writes (10, then 10 per s), so the sweep
 * gives the keys turns about 4 s apart and the fourth falls in its second window of turns.
 */
const KEY_COUNT = 4;
const ACCOUNTS_PER_KEY = 40;
const seeded: { keyName: string; keyId: string; accountIds: string[] }[] = [];

const sweepInstances = () =>
  [...stack.host.durableStore.instances.values()].filter((instance) => instance.name === "sweepKeys");

async function postSweep(
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown>; location: string | null }> {
  const response = await stack.call("/api/sweeps", {
    method: "POST",
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
    location: response.headers.get("location"),
  };
}

async function getSweep(id: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await stack.call(`/api/sweeps/${encodeURIComponent(id)}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  stack = await startE2eStack({ eventSchema: "none" });
  for (let index = 0; index < KEY_COUNT; index += 1) {
    const keyName = `cmk-sweep${index}`;
    const created = await stack.operatorKeys().createRsaKey(keyName, { keySize: 2048 });
    const accounts = await stack.arm.seedStorageAccounts({
      count: ACCOUNTS_PER_KEY,
      namePrefix: `stsweep${index}x`,
      subscriptionIds: [stack.arm.subscriptionId],
      customerManagedKey: { vaultName: stack.vaultName, keyName, keyVersion: created.properties.version },
    });
    await putBinding(stack, stack.vaultName, keyName, {
      targets: accounts.ids.map((resourceId) => ({ kind: "storageAccount", resourceId, mode: "pinned" })),
    });
    seeded.push({ keyName, keyId: `${stack.vaultUrl()}/keys/${keyName}`, accountIds: accounts.ids });
  }
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

describe("POST /api/sweeps", () => {
  it.each([
    ["a missing reason", { force: true }, "BadRequest"],
    ["a blank reason", { reason: "  " }, "BadRequest"],
    ["a reason that is not a string", { reason: 7 }, "BadRequest"],
    ["force that is not a boolean", { reason: "x", force: "yes" }, "BadRequest"],
    ["dryRun that is not a boolean", { reason: "x", dryRun: 1 }, "BadRequest"],
    ["an unknown vault", { reason: "x", vaultName: "kv-elsewhere" }, "UnknownVault"],
    ["a vault name that is not a string", { reason: "x", vaultName: ["kv-e2e"] }, "BadRequest"],
    ["malformed JSON", "{reason:", "InvalidJson"],
    ["an array body", "[]", "BadRequest"],
  ])("refuses %s with 400 and starts nothing", async (_what, body, code) => {
    const answer = await postSweep(body);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error: { code, message: expect.any(String) } });
    expect(sweepInstances()).toHaveLength(0);
  });

  it("dry run lists every bound key it would rotate (forced) and why, and changes nothing", async () => {
    const answer = await postSweep({ reason: "leak drill", force: true, dryRun: true });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ dryRun: true, force: true, unchanged: [] });
    const wouldRotate = answer.body.wouldRotate as Array<{ keyId: string; action: string; reason: string }>;
    expect(wouldRotate.map((item) => item.keyId).sort()).toEqual(seeded.map((key) => key.keyId).sort());
    expect(wouldRotate.every((item) => item.action === "Rotate" && /Forced/.test(item.reason))).toBe(true);

    const notForced = await postSweep({ reason: "routine", dryRun: true, vaultName: "KV-E2E" });
    expect(notForced.body).toMatchObject({ dryRun: true, vaultName: "kv-e2e", wouldRotate: [] });
    expect(notForced.body.unchanged).toHaveLength(KEY_COUNT);
    expect(sweepInstances()).toHaveLength(0);
    expect(await versionsOf(stack, seeded[0].keyName)).toHaveLength(1);
  });

  it("forced: 202 with id and status URL, turns within Storage's writes, one sweep at a time, a summary record at the end", async () => {
    const answer = await postSweep({ reason: "suspected leak", force: true, vaultName: "kv-e2e" });
    expect(answer.status).toBe(202);
    const id = answer.body.id as string;
    expect(answer.body.statusUrl).toBe(`${stack.host.baseUrl}/api/sweeps/${id}`);
    expect(answer.location).toBe(answer.body.statusUrl);
    expect(stack.host.getStatus(`sweep:${id}`)).toBeDefined();

    // The first window's rotations are started, each waiting for its turn; the fourth key waits for the next window.
    const running = await eventually(async () => {
      const read = await getSweep(id);
      const counts = read.body.counts as Record<string, number> | undefined;
      return read.body.status === "Running" && counts?.Started === KEY_COUNT - 1 ? read : undefined;
    }, "the first window started");
    expect(running.body).toMatchObject({
      id,
      counts: { Started: KEY_COUNT - 1, Waiting: 1 },
      failed: [],
      finishedAt: null,
    });
    expect(running.body.waiting).toEqual([seeded[KEY_COUNT - 1].keyId]);
    const turns = seeded.slice(0, KEY_COUNT - 1).map((key) => {
      const instance = stack.host.durableStore.instances.get(
        rotationInstanceId({ vaultName: stack.vaultName, keyName: key.keyName }),
      );
      return (JSON.parse(instance!.inputJson!) as { notBeforeMs: number }).notBeforeMs;
    });
    // 40 writes each: the first goes at once, each next one when about 40 more have refilled (9.5 per s counted).
    expect(turns[1] - turns[0]).toBeGreaterThan(3_500);
    expect(turns[2] - turns[1]).toBeGreaterThan(3_500);
    const last = rotationInstanceId({ vaultName: stack.vaultName, keyName: seeded[KEY_COUNT - 2].keyName });
    expect((stack.host.getStatus(last)?.customStatus as { step?: string } | undefined)?.step).toBe(
      "WaitingForTurn",
    );
    // A rotation waiting for its turn already answers by its id, saying it waits.
    const waitingRotationId = (
      JSON.parse(stack.host.durableStore.instances.get(last)!.inputJson!) as { rotationId: string }
    ).rotationId;
    const waitingRecord = await stack.call(`/api/rotations/${encodeURIComponent(waitingRotationId)}`);
    expect(waitingRecord.status).toBe(200);
    expect(await waitingRecord.json()).toMatchObject({
      id: waitingRotationId,
      status: "Running",
      trigger: "ScheduledSweep",
      detail: expect.stringContaining("Waiting for its turn"),
    });

    const second = await postSweep({ reason: "again" });
    expect(second.status).toBe(409);
    expect(second.body).toEqual({ error: { code: "SweepInProgress", message: expect.any(String) }, id });
    expect(sweepInstances()).toHaveLength(1);

    // Past every turn, and the window the sweep leaves the rotations before it checks drift.
    for (let step = 0; step < 4; step += 1) await stack.advance(TURN_WINDOW_MS);
    const done = await eventually(async () => {
      const read = await getSweep(id);
      return read.body.status !== "Running" ? read : undefined;
    }, "the sweep finished");
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({
      id,
      status: "Completed",
      reason: "suspected leak",
      trigger: "Http",
      force: true,
      vaultName: "kv-e2e",
      counts: { Started: KEY_COUNT },
      waiting: [],
      failed: [],
    });
    expect(Date.parse(done.body.finishedAt as string)).toBeGreaterThanOrEqual(
      Date.parse(done.body.startedAt as string),
    );
    for (const key of seeded) {
      const [newest] = await eventually(async () => {
        const versions = await versionsOf(stack, key.keyName);
        return versions.length === 2 ? versions : undefined;
      }, `a new version of ${key.keyName}`);
      const pinned = stack.arm.storageAccounts().filter((account) => key.accountIds.includes(account.id));
      expect(pinned.every((account) => account.keyVersion === newest.version)).toBe(true);
    }
  }, 90_000);

  it("two sweeps asked for at the same instant: exactly one starts, the other gets 409 with its id", async () => {
    const answers = await Promise.all([
      postSweep({ reason: "race a", vaultName: "kv-e2e" }),
      postSweep({ reason: "race b", vaultName: "kv-e2e" }),
    ]);
    const started = answers.filter((answer) => answer.status === 202);
    expect(started).toHaveLength(1);
    const refused = answers.find((answer) => answer.status !== 202)!;
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual({
      error: { code: "SweepInProgress", message: expect.any(String) },
      id: started[0].body.id,
    });
    expect(
      sweepInstances().filter((instance) => instance.status === "Running" || instance.status === "Pending"),
    ).toHaveLength(1);
    // Nothing is due (unforced): the sweep only checks drift, a window after nothing.
    for (let step = 0; step < 2; step += 1) await stack.advance(TURN_WINDOW_MS);
    await eventually(async () => {
      const read = await getSweep(started[0].body.id as string);
      return read.body.status !== "Running" ? read : undefined;
    }, "the raced sweep finished");
  }, 60_000);

  it("GET of an unknown or malformed id answers 404 with the error shape", async () => {
    for (const id of ["no-such-sweep", "bad id!"]) {
      const read = await getSweep(id);
      expect(read.status).toBe(404);
      expect(read.body).toEqual({ error: { code: "SweepNotFound", message: expect.any(String) } });
    }
  });
});
