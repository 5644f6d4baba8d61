// End to end through the local host: POST /api/sweeps (dry run, forced, one at a time, bad input) and GET /api/sweeps/{id}.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ROTATIONS_PER_VAULT_PER_WINDOW,
  START_WINDOW_MS,
} from "../../../src/orchestrations/sweepKeys/limits";
import { startE2eStack, type E2eStack } from "../../support/e2eStack";
import { eventually, seedKey, versionsOf, type SeededKey } from "./seedEstate";

let stack: E2eStack;
const seeded: SeededKey[] = [];
const KEY_COUNT = ROTATIONS_PER_VAULT_PER_WINDOW + 1;

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
    seeded.push(
      await seedKey(stack, {
        keyName: `cmk-sweep${index}`,
        storage: [{ name: `stsweep${index}`, mode: "pinned" }],
      }),
    );
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

  it("forced: 202 with id and status URL, paced per vault, one sweep at a time, a summary record at the end", async () => {
    const answer = await postSweep({ reason: "suspected leak", force: true, vaultName: "kv-e2e" });
    expect(answer.status).toBe(202);
    const id = answer.body.id as string;
    expect(answer.body.statusUrl).toBe(`${stack.host.baseUrl}/api/sweeps/${id}`);
    expect(answer.location).toBe(answer.body.statusUrl);
    expect(stack.host.getStatus(`sweep:${id}`)).toBeDefined();

    // One more key than a window allows: the sweep waits on a durable timer with that key still waiting.
    const running = await eventually(async () => {
      const read = await getSweep(id);
      const counts = read.body.counts as Record<string, number> | undefined;
      return read.body.status === "Running" && counts?.Started === ROTATIONS_PER_VAULT_PER_WINDOW
        ? read
        : undefined;
    }, "the first window started");
    expect(running.body).toMatchObject({
      id,
      counts: { Started: ROTATIONS_PER_VAULT_PER_WINDOW, Waiting: 1 },
      failed: [],
      finishedAt: null,
    });
    expect(running.body.waiting).toHaveLength(1);
    expect(seeded.map((key) => key.keyId)).toContain((running.body.waiting as string[])[0]);

    const second = await postSweep({ reason: "again" });
    expect(second.status).toBe(409);
    expect(second.body).toEqual({ error: { code: "SweepInProgress", message: expect.any(String) }, id });
    expect(sweepInstances()).toHaveLength(1);

    await stack.advance(START_WINDOW_MS);
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
    await stack.advance(1_000);
    for (const key of seeded) expect(await versionsOf(stack, key.keyName)).toHaveLength(2);
  }, 60_000);

  it("GET of an unknown or malformed id answers 404 with the error shape", async () => {
    for (const id of ["no-such-sweep", "bad id!"]) {
      const read = await getSweep(id);
      expect(read.status).toBe(404);
      expect(read.body).toEqual({ error: { code: "SweepNotFound", message: expect.any(String) } });
    }
  });
});
