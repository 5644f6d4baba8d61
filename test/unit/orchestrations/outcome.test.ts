// How target states add up to a rotation outcome, and retry timing that honours Retry-After.
import { describe, expect, it } from "vitest";
import { decideOutcome, nextAttemptDelayMs } from "../../../src/orchestrations/rotateKey/outcome";
import type { TargetState, TargetStatus } from "../../../src/orchestrations/rotateKey/types";

const target = (status: TargetStatus): TargetState => ({
  kind: "storageAccount",
  resourceId: `/subscriptions/s/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/${status.toLowerCase()}`,
  mode: "pinned",
  status,
  detail: "",
  attempts: 1,
});

describe("decideOutcome", () => {
  it.each<[TargetStatus[], string]>([
    [["Verified", "Verified"], "Completed"],
    [["Verified", "ActionRequired"], "PartiallyApplied"],
    [["ActionRequired"], "PartiallyApplied"],
    [["Verified", "Failed"], "PartiallyApplied"],
    [["Failed", "Failed"], "Failed"],
    [["Verifying"], "Failed"],
  ])("%j → %s", (statuses, outcome) => {
    expect(decideOutcome(statuses.map(target))).toBe(outcome);
  });
});

describe("nextAttemptDelayMs", () => {
  it("backs off exponentially from 30 s, capped at 15 min", () => {
    expect([1, 2, 3, 10].map((attempts) => nextAttemptDelayMs(attempts))).toEqual([
      30_000, 60_000, 120_000, 900_000,
    ]);
  });
  it("never retries sooner than Retry-After", () => {
    expect(nextAttemptDelayMs(1, 90_000)).toBe(90_000);
    expect(nextAttemptDelayMs(3, 5_000)).toBe(120_000);
  });
});
