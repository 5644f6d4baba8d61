import { describe, expect, it } from "vitest";
import { operationsPerEnvironment, sequentialBoundMs } from "../../../bench/support/keyChangeBound";

describe("sequentialBoundMs", () => {
  it.each([
    ["documented", 2],
    ["direct", 1],
  ] as const)("counts %s moves as %i operations per environment", (strategy, operations) => {
    expect(operationsPerEnvironment(strategy)).toBe(operations);
  });

  it("multiplies the median hand-made operation by every operation the moves make", () => {
    expect(sequentialBoundMs([2_100, 2_000, 2_300], 20, "documented")).toBe(2_100 * 40);
    expect(sequentialBoundMs([2_100, 2_000, 2_300], 20, "direct")).toBe(2_100 * 20);
  });

  it("takes the lower middle of an even number of samples (nearest rank) and is zero for no environment", () => {
    expect(sequentialBoundMs([2_000, 2_400, 2_200, 2_100], 1, "documented")).toBe(2_100 * 2);
    expect(sequentialBoundMs([2_000], 0, "documented")).toBe(0);
  });

  it("refuses no samples and a count that is not a whole number", () => {
    expect(() => sequentialBoundMs([], 1, "documented")).toThrow(RangeError);
    expect(() => sequentialBoundMs([2_000], 1.5, "documented")).toThrow(RangeError);
  });
});
