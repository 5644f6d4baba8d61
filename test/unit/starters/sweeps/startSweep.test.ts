// Starting a sweep is one step across workers: the check and the start happen under the sweep-start lease.
import type { DurableClient } from "durable-functions";
import { describe, expect, it } from "vitest";
import type { LeaseOutcome, LeaseStore } from "../../../../src/lib/tables";
import { SWEEP_START_LEASE, startSweep } from "../../../../src/starters/sweeps/startSweep";

/** The task hub as two workers share it: listing and starting each take a moment, so unguarded checks race. */
function sharedTaskHub() {
  const running: { instanceId: string; name: string; runtimeStatus: string }[] = [];
  const pause = () => new Promise((resolve) => setTimeout(resolve, 10));
  const client = {
    getStatusBy: async () => {
      await pause();
      return running.map((instance) => ({ ...instance }));
    },
    startNew: async (name: string, options: { instanceId: string }) => {
      await pause();
      running.push({ instanceId: options.instanceId, name, runtimeStatus: "Running" });
      return options.instanceId;
    },
  } as unknown as DurableClient;
  return { client, running };
}

/** In memory, the semantics the Table Storage lease has (its own integration test races it for real). */
function memoryLeases(): LeaseStore & { held: Map<string, string> } {
  const held = new Map<string, string>();
  return {
    held,
    acquire(name, holder, durationMs, nowMs): Promise<LeaseOutcome> {
      const current = held.get(name);
      if (current !== undefined)
        return Promise.resolve({ isHeld: false, holder: current, expiresAtMs: nowMs + durationMs });
      held.set(name, holder);
      return Promise.resolve({
        isHeld: true,
        release: () => {
          if (held.get(name) === holder) held.delete(name);
          return Promise.resolve();
        },
      });
    },
  };
}

describe("startSweep", () => {
  it("starts one sweep of two asked for at the same instant on two workers, and names it to the other", async () => {
    const hub = sharedTaskHub();
    const leases = memoryLeases();
    const [a, b] = await Promise.all([
      startSweep(hub.client, leases, { reason: "a", sweepId: "a" }),
      startSweep(hub.client, leases, { reason: "b", sweepId: "b" }),
    ]);
    expect(hub.running).toHaveLength(1);
    expect([a, b]).toEqual(
      expect.arrayContaining([
        { started: true, sweepId: "a", instanceId: "sweep:a" },
        { started: false, runningId: "a" },
      ]),
    );
    expect(leases.held.has(SWEEP_START_LEASE)).toBe(false);
  });

  it("answers the running sweep once the lease is back, and gives the lease back when the start fails", async () => {
    const hub = sharedTaskHub();
    const leases = memoryLeases();
    await startSweep(hub.client, leases, { reason: "a", sweepId: "a" });
    expect(await startSweep(hub.client, leases, { reason: "b", sweepId: "b" })).toEqual({
      started: false,
      runningId: "a",
    });
    const down = {
      getStatusBy: () => Promise.reject(new Error("task hub unreachable")),
    } as unknown as DurableClient;
    await expect(startSweep(down, leases, { reason: "c" })).rejects.toMatchObject({
      code: "DependencyUnavailable",
    });
    expect(leases.held.has(SWEEP_START_LEASE)).toBe(false);
  });
});
