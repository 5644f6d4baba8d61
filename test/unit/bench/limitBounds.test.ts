// The fleet benchmark's lower bound: each limit's own model (token bucket, count per window) applied to a run's counts.
import { describe, expect, it } from "vitest";
import {
  bucketBound,
  bucketBoundMs,
  slowestLimit,
  windowBound,
  windowBoundMs,
} from "../../../bench/support/limitBounds";

describe("limit bounds", () => {
  it("lets a bucket's burst go at once and the rest wait for the refill", () => {
    expect(bucketBoundMs(720, { burst: 10, refillPerSecond: 10 })).toBe(71_000);
    expect(bucketBoundMs(1_440, { burst: 250, refillPerSecond: 25 })).toBe(47_600);
    expect(bucketBoundMs(150, { burst: 200, refillPerSecond: 10 })).toBe(0);
  });

  it("counts a window limit in whole windows after the first", () => {
    expect(windowBoundMs(30, { perWindow: 20, windowMs: 10_000 })).toBe(10_000);
    expect(windowBoundMs(20, { perWindow: 20, windowMs: 10_000 })).toBe(0);
    expect(windowBoundMs(16, { perWindow: 15, windowMs: 5_000 })).toBe(5_000);
    expect(windowBoundMs(0, { perWindow: 15, windowMs: 5_000 })).toBe(0);
  });

  it("names the slowest limit and how its bound was computed", () => {
    const bounds = [
      bucketBound("ARM reads", "sub|app", 1_440, { burst: 250, refillPerSecond: 25 }),
      bucketBound("Storage provider writes", "sub", 720, { burst: 10, refillPerSecond: 10 }),
      windowBound("Key Vault creates", "kv1", 30, { perWindow: 20, windowMs: 10_000 }),
    ];
    expect(slowestLimit(bounds)).toMatchObject({
      limit: "Storage provider writes",
      boundMs: 71_000,
      formula: "max(0, 720 − 10) ÷ 10/s",
    });
    expect(bounds[2].formula).toBe("2 windows of 20 per 10 s");
    expect(slowestLimit([])).toBeUndefined();
  });
});
