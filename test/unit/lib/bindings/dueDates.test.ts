// Unit tests of due-date logic shared by the orchestration and the scheduled sweep.
import { describe, expect, it } from "vitest";
import { newVersionExpiryMs, retireNotBeforeMs, rotationDue } from "../../../../src/lib/bindings";

const day = 86_400_000;
const created = Date.parse("2026-01-01T00:00:00Z");

describe("rotationDue", () => {
  it.each([
    ["nothing makes it due", {}, undefined, created + 1000 * day, { isDue: false }],
    [
      "before rotateEvery",
      { rotateEvery: "P90D" },
      undefined,
      created + 89 * day,
      { isDue: false, reason: "RotateEvery", dueAtMs: created + 90 * day },
    ],
    [
      "at rotateEvery",
      { rotateEvery: "P90D" },
      undefined,
      created + 90 * day,
      { isDue: true, reason: "RotateEvery", dueAtMs: created + 90 * day },
    ],
    [
      "before the near-expiry window",
      {},
      created + 100 * day,
      created + 69 * day,
      { isDue: false, reason: "NearExpiry", dueAtMs: created + 70 * day },
    ],
    [
      "inside the near-expiry window",
      { rotateEvery: "P1Y" },
      created + 100 * day,
      created + 71 * day,
      { isDue: true, reason: "NearExpiry", dueAtMs: created + 70 * day },
    ],
    [
      "a 28-day version is not near expiry from birth (due halfway instead)",
      {},
      created + 28 * day,
      created + 1 * day,
      { isDue: false, reason: "NearExpiry", dueAtMs: created + 14 * day },
    ],
    [
      "a 28-day version halfway through its life",
      {},
      created + 28 * day,
      created + 14 * day,
      { isDue: true, reason: "NearExpiry", dueAtMs: created + 14 * day },
    ],
    [
      "expired",
      { rotateEvery: "P1Y" },
      created + 100 * day,
      created + 100 * day,
      { isDue: true, reason: "Expired", dueAtMs: created + 100 * day },
    ],
  ])("%s", (_, policy, expiresOnMs, nowMs, expected) => {
    expect(
      rotationDue(
        policy,
        { createdOnMs: created, ...(expiresOnMs === undefined ? {} : { expiresOnMs }) },
        nowMs,
      ),
    ).toEqual(expected);
  });

  it("computes new-version expiry and retirement with calendar months", () => {
    expect(newVersionExpiryMs({ expiresAfter: "P3M" }, created)).toBe(Date.parse("2026-04-01T00:00:00Z"));
    expect(newVersionExpiryMs({}, created)).toBeUndefined();
    expect(retireNotBeforeMs({ retireAfter: "P28D" }, created)).toBe(created + 28 * day);
    expect(retireNotBeforeMs({}, created)).toBeUndefined();
  });
});
