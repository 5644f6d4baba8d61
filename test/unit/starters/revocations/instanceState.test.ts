// Whether a revocation-side instance counts as still working: active states, ended states, unknown instances.
import type { DurableClient } from "durable-functions";
import { describe, expect, it } from "vitest";
import { instanceNotFound, taskHubUnavailable } from "../../../support/durableClientErrors";
import { isDomainError } from "../../../../src/lib/errors";
import { revocationInstanceId } from "../../../../src/lib/keys";
import { activeInstanceStatus } from "../../../../src/starters/activeInstanceStatus";
import { assertNoRevocationRunning } from "../../../../src/starters/revocations/instanceState";

const key = { vaultName: "kv1", keyName: "cmk" };

/** The durable client's getStatus over a fixed table; an unknown id rejects, as durable-functions 3.x does. */
function clientWith(
  instances: Record<string, { runtimeStatus: string; customStatus?: unknown }>,
): DurableClient {
  const getStatus = (id: string) => {
    const found = instances[id];
    return found ? Promise.resolve({ instanceId: id, ...found }) : Promise.reject(instanceNotFound(id));
  };
  return { getStatus } as unknown as DurableClient;
}

describe("activeInstanceStatus", () => {
  it.each(["Pending", "Running", "ContinuedAsNew", "Suspended"])(
    "returns the status while %s",
    async (state) => {
      const status = await activeInstanceStatus(clientWith({ i1: { runtimeStatus: state } }), "i1");
      expect(status).toMatchObject({ instanceId: "i1", runtimeStatus: state });
    },
  );

  it.each(["Completed", "Failed", "Terminated"])("is undefined once %s", async (state) => {
    expect(await activeInstanceStatus(clientWith({ i1: { runtimeStatus: state } }), "i1")).toBeUndefined();
  });

  it("is undefined for an instance that never existed", async () => {
    expect(await activeInstanceStatus(clientWith({}), "i1")).toBeUndefined();
  });

  it("throws DependencyUnavailable when the task hub cannot say, never 'not running'", async () => {
    const down = { getStatus: () => Promise.reject(taskHubUnavailable()) } as unknown as DurableClient;
    const error: unknown = await activeInstanceStatus(down, "i1").catch((thrown: unknown) => thrown);
    expect(isDomainError(error) && error.code).toBe("DependencyUnavailable");
    expect(isDomainError(error) && error.message).toContain("HTTP 503");
    await expect(assertNoRevocationRunning(down, key)).rejects.toMatchObject({
      code: "DependencyUnavailable",
    });
  });
});

describe("assertNoRevocationRunning", () => {
  it("passes when the key's revocation instance ended or never ran", async () => {
    await expect(assertNoRevocationRunning(clientWith({}), key)).resolves.toBeUndefined();
    const ended = clientWith({ [revocationInstanceId(key)]: { runtimeStatus: "Completed" } });
    await expect(assertNoRevocationRunning(ended, key)).resolves.toBeUndefined();
  });

  it("throws RevocationInProgress naming the running revocation", async () => {
    const running = clientWith({
      [revocationInstanceId(key)]: { runtimeStatus: "Running", customStatus: { revocationId: "rev-7" } },
    });
    const error: unknown = await assertNoRevocationRunning(running, key).catch((thrown: unknown) => thrown);
    expect(isDomainError(error) && error.code).toBe("RevocationInProgress");
    expect(isDomainError(error) && error.details).toEqual({ id: "rev-7" });
  });
});
