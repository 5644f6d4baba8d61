import { describe, expect, it } from "vitest";
import { percentile, ratios, selfNoise, summarize } from "../../../bench/support/stats";

const oneToHundred = Array.from({ length: 100 }, (_, index) => index + 1);

describe("percentile", () => {
  it("takes the nearest rank, whatever the order of the samples", () => {
    const shuffled = [...oneToHundred].reverse();
    expect(percentile(shuffled, 50)).toBe(50);
    expect(percentile(shuffled, 99)).toBe(99);
    expect(percentile(shuffled, 100)).toBe(100);
    expect(percentile([7, 3, 5], 50)).toBe(5);
    expect(percentile([4], 99)).toBe(4);
  });

  it("gives the largest sample as p99 of fewer than 100 samples", () => {
    expect(percentile([1, 2, 3, 4, 10], 99)).toBe(10);
  });

  it("does not reorder its input", () => {
    const values = [3, 1, 2];
    percentile(values, 50);
    expect(values).toEqual([3, 1, 2]);
  });

  it("refuses no samples and percentiles outside (0, 100]", () => {
    expect(() => percentile([], 50)).toThrow(RangeError);
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });
});

describe("summarize and ratios", () => {
  it("summarizes p50 and p99 and divides them percentile by percentile", () => {
    const app = summarize(oneToHundred.map((value) => value * 1.1));
    const bare = summarize(oneToHundred);
    expect(bare).toEqual({ count: 100, p50: 50, p99: 99 });
    const ratio = ratios(app, bare);
    expect(ratio.p50).toBeCloseTo(1.1, 10);
    expect(ratio.p99).toBeCloseTo(1.1, 10);
  });
});

describe("selfNoise", () => {
  it("scores 1 for two identical halves", () => {
    expect(selfNoise([...oneToHundred, ...oneToHundred])).toEqual({ p50: 1, p99: 1 });
  });

  it("compares the first half with the second", () => {
    const noise = selfNoise([10, 20, 30, 40, 5, 10, 15, 20]);
    expect(noise.p50).toBe(2);
    expect(noise.p99).toBe(2);
  });

  it("needs two samples", () => {
    expect(() => selfNoise([1])).toThrow(RangeError);
  });
});
