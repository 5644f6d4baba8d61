// The shared sandbox HTTP helpers on a real loopback server: bounded body reading and JSON answers.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readBoundedBody } from "../../../sandbox/http/readBoundedBody";
import { writeJsonResponse } from "../../../sandbox/http/writeJsonResponse";

const MAX_BYTES = 16;

/** Echoes the body's length as JSON; `/empty` answers 204 without a body; an oversize body answers 413. */
async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
  try {
    const body = await readBoundedBody(request, MAX_BYTES, () => new Error("too large"));
    if (request.url === "/empty") return writeJsonResponse(response, 204, undefined, { "x-extra": "1" });
    writeJsonResponse(response, 200, { bytes: body.length }, { "x-extra": "1" });
  } catch (error) {
    writeJsonResponse(response, 413, { error: (error as Error).message }, { connection: "close" });
  }
}

let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((request, response) => void serve(request, response));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe("sandbox http helpers", () => {
  it("reads a body within the limit and answers JSON with its type, length and the caller's headers", async () => {
    const answer = await fetch(`${baseUrl}/echo`, { method: "POST", body: "x".repeat(MAX_BYTES) });
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(answer.headers.get("content-length")).toBe(String(Buffer.byteLength('{"bytes":16}')));
    expect(answer.headers.get("x-extra")).toBe("1");
    expect(await answer.json()).toEqual({ bytes: MAX_BYTES });
  });

  it("answers an undefined body empty, without a content type", async () => {
    const answer = await fetch(`${baseUrl}/empty`, { method: "POST" });
    expect(answer.status).toBe(204);
    expect(answer.headers.get("content-type")).toBeNull();
    expect(await answer.text()).toBe("");
  });

  it("throws the caller's error once the body passes the limit", async () => {
    const answer = await fetch(`${baseUrl}/echo`, { method: "POST", body: "x".repeat(MAX_BYTES + 1) });
    expect(answer.status).toBe(413);
    expect(await answer.json()).toEqual({ error: "too large" });
  });
});
