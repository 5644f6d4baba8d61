// Version switching and restore rules with a fake gateway (pure logic, no I/O): bounded concurrency, results, ownership.
import { describe, expect, it } from "vitest";
import type { RevokedVersion } from "../../../../src/lib/audit";
import { DomainError, ThrottledError } from "../../../../src/lib/errors";
import type { KeyIdentity, KeyVersionInfo } from "../../../../src/lib/keys";
import {
  disableVersions,
  enableVersions,
  mapWithConcurrency,
  revokedVersionsOf,
  versionsToRestore,
} from "../../../../src/lib/revocations";

const KEY: KeyIdentity = { vaultName: "kv1", keyName: "cmk" };

function fakeGateway(failures: Record<string, Error> = {}) {
  let inFlight = 0;
  let peak = 0;
  const calls: Array<{ version: string; enabled: boolean; revocationId?: string }> = [];
  return {
    calls,
    peak: () => peak,
    async setVersionEnabled(
      _key: KeyIdentity,
      version: string,
      enabled: boolean,
      options: { revocationId?: string } = {},
    ): Promise<KeyVersionInfo> {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      calls.push({ version, enabled, ...options });
      await new Promise((resolve) => setTimeout(resolve, 2));
      inFlight -= 1;
      if (failures[version]) throw failures[version];
      return { keyId: `https://kv1/keys/cmk/${version}`, version, enabled, createdOnMs: 0, tags: {} };
    },
  };
}

describe("mapWithConcurrency", () => {
  it("keeps input order and never runs more than the limit", async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await mapWithConcurrency([5, 1, 4, 2, 3, 0, 6], 3, async (value) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, value));
      inFlight -= 1;
      return value * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30, 0, 60]);
    expect(peak).toBe(3);
    expect(await mapWithConcurrency([], 4, () => Promise.resolve(1))).toEqual([]);
  });
});

describe("disableVersions / enableVersions", () => {
  it("disables 50 versions with at most 16 calls in flight and reports each", async () => {
    const gateway = fakeGateway();
    const versions = Array.from({ length: 50 }, (_, index) => `v${index}`);
    const results = await disableVersions(gateway, KEY, versions);
    expect(results.map((result) => result.version)).toEqual(versions);
    expect(results.every((result) => result.isDone)).toBe(true);
    expect(gateway.peak()).toBeLessThanOrEqual(16);
    expect(gateway.calls.every((call) => call.enabled === false)).toBe(true);
  });

  it("returns failures (with Retry-After) instead of throwing, and re-enables under the revocation id", async () => {
    const gateway = fakeGateway({
      v1: new ThrottledError("Key Vault", 7_000),
      v2: new DomainError("KeyRevoked", "fenced"),
    });
    const results = await enableVersions(gateway, KEY, ["v0", "v1", "v2"], "rev-1");
    expect(results[0]).toEqual({ version: "v0", isDone: true, detail: "" });
    expect(results[1]).toMatchObject({ version: "v1", isDone: false, retryAfterMs: 7_000 });
    expect(results[2]).toMatchObject({
      version: "v2",
      isDone: false,
      detail: expect.stringContaining("KeyRevoked"),
    });
    expect(gateway.calls.every((call) => call.enabled && call.revocationId === "rev-1")).toBe(true);
  });
});

describe("restore plan", () => {
  it("re-enables exactly what the revocation disabled, once", () => {
    const versions: RevokedVersion[] = [
      ...revokedVersionsOf([
        { version: "new", enabled: true },
        { version: "old-disabled", enabled: false },
      ]),
      { version: "failed", wasEnabled: true, disabledAt: null, restoredAt: null },
      {
        version: "done",
        wasEnabled: true,
        disabledAt: "2026-01-01T00:00:00.000Z",
        restoredAt: "2026-01-02T00:00:00.000Z",
      },
    ];
    versions[0].disabledAt = "2026-01-01T00:00:00.000Z";
    versions[1].disabledAt = null;
    expect(versionsToRestore(versions)).toEqual(["new"]);
    versions[0].restoredAt = "2026-01-02T00:00:00.000Z";
    expect(versionsToRestore(versions)).toEqual([]);
  });
});
