// Unit tests of the deletion date of locked Power Platform environments: 30 days for production, 7 for the rest.
import { describe, expect, it } from "vitest";
import type { RevocationRecord } from "../../../../src/lib/audit";
import { lockedEnvironmentsOf, retentionDaysOf } from "../../../../src/lib/overview";

const record = (environments: RevocationRecord["environments"]): RevocationRecord => ({
  id: "r1",
  keyId: "https://kv.vault.azure.net/keys/k",
  status: "Revoked",
  reason: "INC-1",
  requestId: "q1",
  versions: [],
  targets: [],
  environments,
  startedAt: "2026-01-01T00:00:00.000Z",
  finishedAt: "2026-01-01T00:01:00.000Z",
});

describe("retentionDaysOf", () => {
  it.each([
    ["Production", 30],
    ["default", 30],
    ["Sandbox", 7],
    ["Trial", 7],
    [undefined, 7],
  ])("%s → %i days", (sku, days) => expect(retentionDaysOf(sku)).toBe(days));
});

describe("lockedEnvironmentsOf", () => {
  it("dates each locked environment from its reported lock, else from the revocation's start; skips enabled ones", () => {
    expect(
      lockedEnvironmentsOf(
        record([
          { id: "p", state: "Locked", environmentSku: "Production", lockedAt: "2026-01-02T00:00:00.000Z" },
          { id: "s", displayName: "Test", state: "Locked", environmentSku: "Sandbox" },
          { id: "e", state: "Enabled", environmentSku: "Sandbox" },
        ]),
      ),
    ).toEqual([
      {
        id: "p",
        displayName: null,
        state: "Locked",
        environmentSku: "Production",
        lockedAt: "2026-01-02T00:00:00.000Z",
        retentionDays: 30,
        deletionAt: "2026-02-01T00:00:00.000Z",
      },
      {
        id: "s",
        displayName: "Test",
        state: "Locked",
        environmentSku: "Sandbox",
        lockedAt: "2026-01-01T00:00:00.000Z",
        retentionDays: 7,
        deletionAt: "2026-01-08T00:00:00.000Z",
      },
    ]);
  });
});
