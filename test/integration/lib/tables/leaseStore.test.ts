// Leases in Table Storage (Azurite): of two racing takers exactly one holds it, an expired lease is taken over once, release gives it back.
import { TableClient } from "@azure/data-tables";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAzurite, type RunningAzurite } from "../../../../sandbox/azurite";
import { createTableLeaseStore, type LeaseStore } from "../../../../src/lib/tables";

describe("Table Storage leases", () => {
  let azurite: RunningAzurite;
  let leases: LeaseStore;
  /** A second worker: its own client on the same table. */
  let otherWorker: LeaseStore;
  const T0 = Date.parse("2026-12-01T00:00:00Z");

  beforeAll(async () => {
    azurite = await startAzurite({ services: ["table"] });
    const client = () =>
      TableClient.fromConnectionString(azurite.connectionString, "leasetest", {
        allowInsecureConnection: true,
      });
    leases = createTableLeaseStore(client());
    otherWorker = createTableLeaseStore(client());
  });
  afterAll(async () => {
    await azurite.stop();
  });

  it("lets exactly one of two workers taking it at the same instant hold it, and names the holder to the other", async () => {
    const [a, b] = await Promise.all([
      leases.acquire("race", "sweep-a", 60_000, T0),
      otherWorker.acquire("race", "sweep-b", 60_000, T0),
    ]);
    expect([a.isHeld, b.isHeld].filter(Boolean)).toHaveLength(1);
    const loser = a.isHeld ? b : a;
    expect(loser).toEqual({
      isHeld: false,
      holder: a.isHeld ? "sweep-a" : "sweep-b",
      expiresAtMs: T0 + 60_000,
    });
  });

  it("is free again once released, and a release by a holder whose lease was taken over changes nothing", async () => {
    const first = await leases.acquire("handover", "sweep-a", 1_000, T0);
    expect(first.isHeld).toBe(true);
    expect((await otherWorker.acquire("handover", "sweep-b", 1_000, T0 + 10)).isHeld).toBe(false);
    if (first.isHeld) await first.release();
    const second = await otherWorker.acquire("handover", "sweep-b", 1_000, T0 + 20);
    expect(second.isHeld).toBe(true);
    // sweep-b's lease expires; sweep-c takes it over; sweep-b giving it back must not free sweep-c's.
    const third = await leases.acquire("handover", "sweep-c", 1_000, T0 + 5_000);
    expect(third.isHeld).toBe(true);
    if (second.isHeld) await second.release();
    expect(await otherWorker.acquire("handover", "sweep-d", 1_000, T0 + 5_010)).toMatchObject({
      isHeld: false,
      holder: "sweep-c",
    });
  });

  it("lets exactly one of two workers take over an expired lease", async () => {
    expect((await leases.acquire("expired", "sweep-dead", 1_000, T0)).isHeld).toBe(true);
    const later = T0 + 2_000;
    const [a, b] = await Promise.all([
      leases.acquire("expired", "sweep-a", 60_000, later),
      otherWorker.acquire("expired", "sweep-b", 60_000, later),
    ]);
    expect([a.isHeld, b.isHeld].filter(Boolean)).toHaveLength(1);
    expect(a.isHeld ? b : a).toMatchObject({ isHeld: false, holder: a.isHeld ? "sweep-a" : "sweep-b" });
  });
});
