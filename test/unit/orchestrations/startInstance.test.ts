// A start the task hub refuses: the door's first record is withdrawn and the caller gets a 503 saying nothing started.
import type { DurableClient } from "durable-functions";
import { describe, expect, it } from "vitest";
import { DomainError, toErrorResponse } from "../../../src/lib/errors";
import { startInstance } from "../../../src/orchestrations/startInstance";

const refusingClient = {
  startNew: () => Promise.reject(new Error("The operation failed with an unexpected status code: 503.")),
} as unknown as DurableClient;
const acceptingClient = { startNew: () => Promise.resolve("id-1") } as unknown as DurableClient;

const start = { name: "rotateKey", instanceId: "rotate:kv1:cmk", input: {}, nextStep: "Send it again." };

async function refusal(withdraw?: (reason: string) => Promise<void>): Promise<DomainError> {
  const error = await startInstance(refusingClient, { ...start, ...(withdraw ? { withdraw } : {}) }).catch(
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe("startInstance", () => {
  it("starts without withdrawing anything when the task hub accepts", async () => {
    const reasons: string[] = [];
    await startInstance(acceptingClient, {
      ...start,
      withdraw: (reason) => Promise.resolve(void reasons.push(reason)),
    });
    expect(reasons).toEqual([]);
  });

  it("withdraws the first record once, with the reason, and answers 503 DependencyUnavailable", async () => {
    const reasons: string[] = [];
    const error = await refusal((reason) => Promise.resolve(void reasons.push(reason)));
    expect(reasons).toEqual([expect.stringContaining("did not start rotateKey")]);
    expect(reasons[0]).toContain("nothing was started");
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

  it("still answers 503 when the record cannot be withdrawn, and says so", async () => {
    const error = await refusal(() => Promise.reject(new Error("Table Storage unavailable")));
    expect(error.code).toBe("DependencyUnavailable");
    expect(error.message).toContain("could not be corrected either (Table Storage unavailable)");
  });

  it("answers 503 without a record to withdraw", async () => {
    expect((await refusal()).code).toBe("DependencyUnavailable");
  });
});
