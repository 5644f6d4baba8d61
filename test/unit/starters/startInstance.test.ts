// A start that does not happen: the door's first record is withdrawn, and the caller learns whether another start won or the task hub is down.
import type { DurableClient } from "durable-functions";
import { describe, expect, it } from "vitest";
import { instanceNotFound } from "../../support/durableClientErrors";
import { DomainError, toErrorResponse } from "../../../src/lib/errors";
import { startInstance, type InstanceStart } from "../../../src/starters/startInstance";

/** startNew rejects as durable-functions does for a non-2xx answer; getStatus answers from `running` (unknown ids reject). */
function refusingClient(running?: { runtimeStatus: string }): DurableClient {
  return {
    startNew: () => Promise.reject(new Error("The operation failed with an unexpected status code: 503.")),
    getStatus: (instanceId: string) =>
      running ? Promise.resolve({ instanceId, ...running }) : Promise.reject(instanceNotFound(instanceId)),
  } as unknown as DurableClient;
}
const acceptingClient = { startNew: () => Promise.resolve("id-1") } as unknown as DurableClient;

const start = { name: "rotateKey", instanceId: "rotate:kv1:cmk", input: {}, nextStep: "Send it again." };
type Why = Parameters<NonNullable<InstanceStart["withdraw"]>>[0];

async function refusal(withdraw?: InstanceStart["withdraw"]): Promise<DomainError> {
  const error = await startInstance(refusingClient(), { ...start, ...(withdraw ? { withdraw } : {}) }).catch(
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe("startInstance", () => {
  it("starts without withdrawing anything when the task hub accepts", async () => {
    const seen: Why[] = [];
    const outcome = await startInstance(acceptingClient, {
      ...start,
      withdraw: (why) => Promise.resolve(void seen.push(why)),
    });
    expect(outcome).toEqual({ started: true });
    expect(seen).toEqual([]);
  });

  it("withdraws the first record once, with the reason, and answers 503 DependencyUnavailable", async () => {
    const seen: Why[] = [];
    const error = await refusal((why) => Promise.resolve(void seen.push(why)));
    expect(seen).toEqual([
      { reason: expect.stringContaining("did not start rotateKey"), anotherStartWon: false },
    ]);
    expect(seen[0].reason).toContain("nothing was started");
    expect(toErrorResponse(error)).toEqual({
      status: 503,
      body: {
        error: {
          code: "DependencyUnavailable",
          message: expect.stringMatching(
            /unexpected status code: 503.*nothing was started.*Send it again\.$/,
          ),
        },
      },
    });
  });

  it("reports the running instance when another start of the same id won the race", async () => {
    const seen: Why[] = [];
    const outcome = await startInstance(refusingClient({ runtimeStatus: "Running" }), {
      ...start,
      withdraw: (why) => Promise.resolve(void seen.push(why)),
    });
    expect(outcome).toMatchObject({ started: false, running: { instanceId: start.instanceId } });
    expect(seen).toEqual([{ reason: expect.stringContaining("won the race"), anotherStartWon: true }]);
  });

  it("still answers 503 when the record cannot be withdrawn, and says so", async () => {
    const error = await refusal(() => Promise.reject(new Error("Table Storage unavailable")));
    expect(error.code).toBe("DependencyUnavailable");
    expect(error.message).toContain("could not be corrected either (Table Storage unavailable)");
  });

  it("answers 503 without a record to withdraw", async () => {
    expect((await refusal()).code).toBe("DependencyUnavailable");
  });
});
