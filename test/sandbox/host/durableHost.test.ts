import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DurableStore } from "../../../sandbox/host";
import { startExampleHost, type ExampleHost } from "./exampleHost";

interface ManagementPayload {
  id: string;
  statusQueryGetUri: string;
  sendEventPostUri: string;
  terminatePostUri: string;
  purgeHistoryDeleteUri: string;
}

async function startOrchestration(
  example: ExampleHost,
  name: string,
  input: unknown,
  instanceId: string,
): Promise<ManagementPayload> {
  const res = await example.call(`/api/orchestrators/${name}?instanceId=${instanceId}`, {
    method: "POST",
    body: JSON.stringify(input),
  });
  expect(res.status).toBe(202);
  const payload = (await res.json()) as ManagementPayload;
  expect(res.headers.get("location")).toBe(payload.statusQueryGetUri);
  return payload;
}

async function approve(payload: ManagementPayload, approved = true): Promise<void> {
  const res = await fetch(payload.sendEventPostUri.replace("{eventName}", "Approval"), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(approved),
  });
  expect(res.status).toBe(202);
}

/** Drives the example orchestration past its retry timer and cool-down timer to the approval wait. */
async function runToApproval(example: ExampleHost, instanceId: string): Promise<void> {
  await example.host.whenIdle();
  expect(example.host.getStatus(instanceId)?.customStatus).toEqual({ step: "flaky" });
  await example.clock.advance(60_000); // the retry interval of FlakyStep
  expect(example.host.getStatus(instanceId)?.customStatus).toEqual({ step: "cool-down" });
  await example.clock.advance(5 * 60_000);
  expect(example.host.getStatus(instanceId)?.customStatus).toEqual({ step: "approval" });
}

async function observations(example: ExampleHost) {
  return (await (await example.call("/api/observations", { key: null })).json()) as {
    sideEffects: { processItemRuns: Record<string, number>; flakyAttempts: Record<string, number> };
  };
}

describe("local host: durable orchestrations end to end", () => {
  let example: ExampleHost;
  beforeAll(async () => {
    example = await startExampleHost();
  });
  afterAll(async () => {
    await example.host.stop();
  });
  afterEach(() => {
    example.host.setAtLeastOnce("off");
  });

  it("runs an orchestration started with df.getClient(...).startNew from an HTTP trigger to completion", async () => {
    const payload = await startOrchestration(
      example,
      "ExampleOrchestration",
      { items: ["a", "b", "c"] },
      "happy-1",
    );
    expect(payload.id).toBe("happy-1");
    const running = await fetch(payload.statusQueryGetUri);
    expect(running.status).toBe(202);
    expect(((await running.json()) as { runtimeStatus: string }).runtimeStatus).toMatch(/Running|Pending/);

    await runToApproval(example, "happy-1");
    const approvalAt = example.clock.nowDate().toISOString();
    await approve(payload);
    const status = await example.host.waitForInstance("happy-1", { timeoutMs: 10_000 });
    expect(status.runtimeStatus).toBe("Completed");
    expect(status.output).toEqual({
      batchSize: 3,
      flaky: "ok after 2 attempts",
      processed: ["A", "B", "C"],
      approved: true,
      finishedAt: expect.any(String) as string,
    });
    // Orchestration time is the virtual clock: the output was produced at (or after) the approval's virtual time.
    expect(Date.parse((status.output as { finishedAt: string }).finishedAt)).toBeGreaterThanOrEqual(
      Date.parse(approvalAt) - 1000,
    );

    const done = await fetch(payload.statusQueryGetUri);
    expect(done.status).toBe(200);
    expect(await done.json()).toMatchObject({
      name: "ExampleOrchestration",
      instanceId: "happy-1",
      runtimeStatus: "Completed",
      customStatus: { step: "done" },
    });
  });

  it("times out the approval with the durable timer when no event arrives", async () => {
    await startOrchestration(example, "ExampleOrchestration", { items: ["t"] }, "timeout-1");
    await runToApproval(example, "timeout-1");
    await example.clock.advance(60 * 60_000);
    const status = await example.host.waitForInstance("timeout-1", { timeoutMs: 10_000 });
    expect(status.output).toMatchObject({ approved: false });
  });

  it("pushes each new custom status to onCustomStatus listeners until they stop", async () => {
    const seen: unknown[] = [];
    const stop = example.host.onCustomStatus("watched-1", (status) => seen.push(status));
    await startOrchestration(example, "ExampleOrchestration", { items: ["w"] }, "watched-1");
    await runToApproval(example, "watched-1");
    stop();
    await example.clock.advance(60 * 60_000);
    await example.host.waitForInstance("watched-1", { timeoutMs: 10_000 });
    // Each value once, in order (episodes that leave it unchanged are not reported); nothing after stop().
    expect(seen).toEqual(["prepare", "flaky", "fan-out", "cool-down", "approval"].map((step) => ({ step })));
  });

  it("refuses every start while failOrchestrationStarts is set, creating nothing, and starts again once cleared", async () => {
    const startUrl = `${example.host.baseUrl}/runtime/webhooks/durabletask/orchestrators/ExampleOrchestration/hubdown-1?code=${example.host.systemKey}`;
    const start = () => fetch(startUrl, { method: "POST", body: JSON.stringify({ items: ["h"] }) });
    example.host.failOrchestrationStarts({});
    try {
      const refused = await start();
      expect(refused.status).toBe(503);
      expect(await refused.json()).toEqual({
        error: { code: "TaskHubUnavailable", message: expect.stringContaining("unavailable") },
      });
      example.host.failOrchestrationStarts({ status: 500, message: "storage account gone" });
      expect((await start()).status).toBe(500);
      expect(example.host.getStatus("hubdown-1")).toBeUndefined();
    } finally {
      example.host.failOrchestrationStarts(undefined);
    }
    expect((await start()).status).toBe(202);
    expect(example.host.getStatus("hubdown-1")).toBeDefined();
    await runToApproval(example, "hubdown-1");
  });

  it("at-least-once 'twice': every activity runs twice and the orchestration still completes once", async () => {
    example.host.setAtLeastOnce("twice");
    const payload = await startOrchestration(
      example,
      "ExampleOrchestration",
      { items: ["twice-x", "twice-y"] },
      "twice-1",
    );
    await runToApproval(example, "twice-1");
    await approve(payload);
    const status = await example.host.waitForInstance("twice-1", { timeoutMs: 10_000 });
    expect(status.output).toMatchObject({ processed: ["TWICE-X", "TWICE-Y"], approved: true });
    const { sideEffects } = await observations(example);
    expect(sideEffects.processItemRuns["twice-x"]).toBe(2);
    expect(sideEffects.processItemRuns["twice-y"]).toBe(2);
  });

  it("at-least-once 'dropFirstCompletion': the first completion is lost and the activity runs again", async () => {
    example.host.setAtLeastOnce("dropFirstCompletion");
    const payload = await startOrchestration(
      example,
      "ExampleOrchestration",
      { items: ["drop-x"] },
      "drop-1",
    );
    await example.host.whenIdle();
    // The first attempt failed and its completion was dropped: the re-run succeeded, so no retry timer is needed.
    expect(example.host.getStatus("drop-1")?.customStatus).toEqual({ step: "cool-down" });
    await example.clock.advance(5 * 60_000);
    await approve(payload, false);
    const status = await example.host.waitForInstance("drop-1", { timeoutMs: 10_000 });
    expect(status.output).toMatchObject({
      flaky: "ok after 2 attempts",
      processed: ["DROP-X"],
      approved: false,
    });
    expect((await observations(example)).sideEffects.processItemRuns["drop-x"]).toBe(2);
  });

  it("fails a non-deterministic orchestrator with a clear error", async () => {
    await startOrchestration(example, "NonDeterministicOrchestration", null, "nondet-1");
    const status = await example.host.waitForInstance("nondet-1", { timeoutMs: 10_000 });
    expect(status.runtimeStatus).toBe("Failed");
    expect(status.output).toMatch(/^Non-deterministic orchestrator 'NonDeterministicOrchestration'/);
    expect(status.output).toContain("TaskScheduled 'Greet' at sequence 0");
    expect(status.output).toContain("an activity call to 'Shout'");
  });

  it("runs continueAsNew as new executions and sub-orchestrations with their own instances", async () => {
    await startOrchestration(example, "CountdownOrchestration", 3, "countdown-1");
    expect((await example.host.waitForInstance("countdown-1", { timeoutMs: 10_000 })).output).toBe(
      "lift-off",
    );
    expect(example.host.getStatus("countdown-1")?.input).toBe(0);

    await startOrchestration(example, "ParentOrchestration", ["ann", "bo"], "parent-1");
    const parent = await example.host.waitForInstance("parent-1", { timeoutMs: 10_000 });
    expect(parent.output).toEqual([
      { greeting: "hello ann", parent: "parent-1" },
      { greeting: "hello bo", parent: "parent-1" },
    ]);
    expect(example.host.getStatus("parent-1-child-0")?.runtimeStatus).toBe("Completed");
  });

  it("splits a 10-day durable timer into 3-day timers and resumes at the due virtual time", async () => {
    await startOrchestration(example, "LongWaitOrchestration", 10, "long-1");
    await example.host.whenIdle();
    const day = 24 * 3600_000;
    await example.clock.advance(9 * day);
    expect(example.host.getStatus("long-1")?.runtimeStatus).toBe("Running");
    await example.clock.advance(day);
    const status = await example.host.waitForInstance("long-1", { timeoutMs: 10_000 });
    const { startedAt, resumedAt } = status.output as { startedAt: number; resumedAt: number };
    expect(resumedAt - startedAt).toBe(10 * day);
    const timers = example.host.durableStore.get("long-1")?.history.filter((e) => e.EventType === 10) ?? [];
    expect(timers.map((e) => Date.parse(e.FireAt ?? "") - startedAt)).toEqual([3 * day, 6 * day, 10 * day]);
  });

  it("implements the client operations: status, raise event, terminate, purge, conflicts", async () => {
    await startOrchestration(example, "ExampleOrchestration", { items: ["ops"] }, "ops-1");
    await example.host.whenIdle();
    const conflict = await example.call("/api/orchestrators/ExampleOrchestration?instanceId=ops-1", {
      method: "POST",
      body: "{}",
    });
    expect(conflict.status).toBe(500); // startNew rejects with the API's 409, the function does not catch it
    const viaClient = (await (await example.call("/api/manage/ops-1")).json()) as {
      runtimeStatus: string;
      customStatus: unknown;
    };
    expect(viaClient).toMatchObject({ runtimeStatus: "Running", customStatus: { step: "flaky" } });
    const payload = (await (await example.call("/api/manage/ops-1/payload")).json()) as ManagementPayload;
    expect(payload.statusQueryGetUri).toContain(
      `${example.host.baseUrl}/runtime/webhooks/durabletask/instances/ops-1?`,
    );

    const purgeRunning = await fetch(payload.purgeHistoryDeleteUri, { method: "DELETE" });
    expect(purgeRunning.status).toBe(412);
    expect((await example.call("/api/manage/ops-1/terminate", { method: "POST" })).status).toBe(202);
    const terminated = await example.host.waitForInstance("ops-1", { timeoutMs: 10_000 });
    expect(terminated).toMatchObject({ runtimeStatus: "Terminated", output: "stopped by test" });
    const raiseLate = await fetch(payload.sendEventPostUri.replace("{eventName}", "Approval"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "true",
    });
    expect(raiseLate.status).toBe(410);
    expect(await (await example.call("/api/manage/ops-1/purge", { method: "DELETE" })).json()).toEqual({
      instancesDeleted: 1,
    });
    expect((await fetch(payload.statusQueryGetUri)).status).toBe(404);
    expect((await example.call("/api/manage/ops-1")).status).toBe(404);
  });

  it("raises events through the client binding and guards the public API with the system key", async () => {
    await startOrchestration(example, "ExampleOrchestration", { items: ["ev"] }, "event-1");
    await runToApproval(example, "event-1");
    const raise = await example.call("/api/manage/event-1/raise?event=Approval", {
      method: "POST",
      body: "true",
    });
    expect(raise.status).toBe(202);
    expect((await example.host.waitForInstance("event-1", { timeoutMs: 10_000 })).output).toMatchObject({
      approved: true,
    });
    const unauthorised = await fetch(
      `${example.host.baseUrl}/runtime/webhooks/durabletask/instances/event-1`,
    );
    expect(unauthorised.status).toBe(401);
    const list = await fetch(
      `${example.host.baseUrl}/runtime/webhooks/durabletask/instances/?runtimeStatus=Completed&code=${example.host.systemKey}`,
    );
    expect(((await list.json()) as Array<{ instanceId: string }>).map((s) => s.instanceId)).toContain(
      "event-1",
    );
  });
});

describe("local host: restart", () => {
  it("a new host on the same store reloads the app and resumes waiting instances", async () => {
    const first = await startExampleHost();
    const store: DurableStore = first.host.durableStore;
    const payload = await startOrchestration(first, "ExampleOrchestration", { items: ["r"] }, "restart-1");
    await first.host.whenIdle();
    expect(first.host.getStatus("restart-1")?.customStatus).toEqual({ step: "flaky" });
    await first.host.stop();

    const second = await startExampleHost({ clock: first.clock, durableStore: store });
    try {
      // The app was loaded afresh: its module state starts empty.
      expect((await observations(second)).sideEffects.flakyAttempts).toEqual({});
      // The reloaded FlakyStep counts from zero, so its second attempt fails too and a third one succeeds.
      await second.clock.advance(60_000);
      expect(second.host.getStatus("restart-1")?.customStatus).toEqual({ step: "flaky" });
      await second.clock.advance(60_000);
      expect(second.host.getStatus("restart-1")?.customStatus).toEqual({ step: "cool-down" });
      await second.clock.advance(5 * 60_000);
      const newPayload = (await (
        await second.call("/api/manage/restart-1/payload")
      ).json()) as ManagementPayload;
      expect(newPayload.id).toBe(payload.id);
      await approve(newPayload);
      const status = await second.host.waitForInstance("restart-1", { timeoutMs: 10_000 });
      expect(status).toMatchObject({
        runtimeStatus: "Completed",
        output: { flaky: "ok after 2 attempts", processed: ["R"], approved: true },
      });
    } finally {
      await second.host.stop();
    }
  });
});
