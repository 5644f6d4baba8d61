// The sweep's pacing: at most a few new versions per vault per window, drift repairs at once.
import { describe, expect, it } from "vitest";
import { deterministicRotationId } from "../../../src/starters/rotations/startRotation";
import { ROTATIONS_PER_VAULT_PER_WINDOW } from "../../../src/orchestrations/sweepKeys/limits";
import { paceByVault } from "../../../src/orchestrations/sweepKeys/sweepKeys";
import type { SweepStartInput } from "../../../src/orchestrations/sweepKeys/types";

const start = (vaultName: string, keyName: string, action: "Rotate" | "RepairDrift"): SweepStartInput => ({
  key: { vaultName, keyName },
  action,
  trigger: "ScheduledSweep",
  mode: action === "Rotate" ? "rotate" : "propagate",
  reason: "test",
  rotationId: `${vaultName}.${keyName}`,
});

describe("paceByVault", () => {
  it("spreads rotations of one vault over windows and keeps other vaults and repairs in the first", () => {
    const starts = [
      ...Array.from({ length: ROTATIONS_PER_VAULT_PER_WINDOW * 2 + 1 }, (_, index) =>
        start("kv1", `k${index}`, "Rotate"),
      ),
      start("kv2", "a", "Rotate"),
      start("kv1", "drifted", "RepairDrift"),
    ];
    const windows = paceByVault(starts);
    expect(windows).toHaveLength(3);
    for (const window of windows) {
      expect(
        window.filter((item) => item.key.vaultName === "kv1" && item.mode === "rotate").length,
      ).toBeLessThanOrEqual(ROTATIONS_PER_VAULT_PER_WINDOW);
    }
    expect(windows[0].map((item) => item.key.keyName)).toEqual(expect.arrayContaining(["a", "drifted"]));
    expect(windows.flat()).toHaveLength(starts.length);
  });

  it("returns no window for nothing to start", () => {
    expect(paceByVault([])).toEqual([]);
  });
});

describe("deterministicRotationId", () => {
  it("is the same for the same cause and table-safe", () => {
    const id = deterministicRotationId("KeyNearExpiry", "KV1", "cmk/x", "ab12");
    expect(id).toBe(deterministicRotationId("KeyNearExpiry", "kv1", "cmk/x", "AB12"));
    expect(id).toMatch(/^[0-9a-z.-]+$/);
  });
});
