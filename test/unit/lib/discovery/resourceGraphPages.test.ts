// The paging loop: every page in order, waiting out a spent quota and 429s, never a partial answer.
import { RestError, createHttpHeaders, createPipelineRequest } from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import {
  GraphQuotaGate,
  quotaResetsAfterMs,
  readAllRows,
  type GraphPage,
} from "../../../../src/lib/discovery";
import { isDomainError } from "../../../../src/lib/errors";

function restError(status: number, headers: Record<string, string> = {}): RestError {
  const request = createPipelineRequest({ url: "https://management.azure.com/" });
  return new RestError(`status ${status}`, {
    statusCode: status,
    request,
    response: { status, headers: createHttpHeaders(headers), request },
  });
}

function clock() {
  let nowMs = 0;
  const waits: number[] = [];
  return {
    waits,
    gate: new GraphQuotaGate({
      now: () => nowMs,
      sleep: async (ms) => {
        waits.push(ms);
        nowMs += ms;
      },
    }),
  };
}

describe("readAllRows", () => {
  it("follows $skipToken to the last page and keeps the order", async () => {
    const pages: GraphPage[] = [
      { rows: [1, 2], skipToken: "a" },
      { rows: [3], skipToken: "b" },
      { rows: [4] },
    ];
    const tokens: Array<string | undefined> = [];
    const rows = await readAllRows(
      async ({ skipToken }) => {
        tokens.push(skipToken);
        return pages.shift()!;
      },
      "resources",
      {},
      clock().gate,
    );
    expect(rows).toEqual([1, 2, 3, 4]);
    expect(tokens).toEqual([undefined, "a", "b"]);
  });

  it("waits for the quota reset when an answer says none remain", async () => {
    const { gate, waits } = clock();
    const pages: GraphPage[] = [
      { rows: [1], skipToken: "a", quotaRemaining: 0, quotaResetsAfterMs: 3_000 },
      { rows: [2] },
    ];
    expect(await readAllRows(async () => pages.shift()!, "q", {}, gate)).toEqual([1, 2]);
    expect(waits).toEqual([3_000]);
  });

  it("backs off on 429 (Retry-After, else 1, 2, 4 s) and gives up as DependencyThrottled", async () => {
    const { gate, waits } = clock();
    let calls = 0;
    const rows = await readAllRows(
      async () => {
        calls += 1;
        if (calls === 1) throw restError(429, { "retry-after": "2" });
        if (calls === 2) throw restError(429);
        return { rows: ["ok"] };
      },
      "q",
      {},
      gate,
    );
    expect(rows).toEqual(["ok"]);
    expect(waits).toEqual([2_000, 2_000]); // the second 429 in a row, no Retry-After: 2 s
    const failure = await readAllRows(
      async () => Promise.reject(restError(429)),
      "q",
      {},
      clock().gate,
      3,
    ).catch((error: unknown) => error);
    expect(isDomainError(failure, "DependencyThrottled")).toBe(true);
  });

  it("throws any other failure as a domain error, never a partial list", async () => {
    let calls = 0;
    const failure = await readAllRows(
      async () => {
        calls += 1;
        if (calls === 1) return { rows: [1], skipToken: "a" };
        throw restError(503);
      },
      "q",
      {},
      clock().gate,
    ).catch((error: unknown) => error);
    expect(isDomainError(failure)).toBe(true);
  });
});

describe("quotaResetsAfterMs", () => {
  it.each([
    ["00:00:03", 3_000],
    ["00:01:00", 60_000],
    ["1.00:00:00", 86_400_000],
    ["00:00:00.5", 500],
    [undefined, undefined],
    ["soon", undefined],
  ])("%s → %s", (header, ms) => {
    expect(quotaResetsAfterMs(header)).toBe(ms);
  });
});
