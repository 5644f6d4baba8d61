// Reading request bodies at the doors: size limit, JSON, object shape, typed optional fields.
import { HttpRequest } from "@azure/functions";
import { describe, expect, it } from "vitest";
import { optionalBoolean, optionalString, readJsonBody } from "../../../src/functions/http/readJsonBody";

const request = (body: string) =>
  new HttpRequest({
    method: "POST",
    url: "http://localhost/api/rotations",
    headers: { "content-type": "application/json" },
    body: { string: body },
  });

describe("readJsonBody", () => {
  it("returns a JSON object", async () => {
    expect(await readJsonBody(request('{"keyId":"x","dryRun":true}'))).toEqual({ keyId: "x", dryRun: true });
  });

  it.each([
    ["an empty body", "", "InvalidJson"],
    ["malformed JSON", "{nope", "InvalidJson"],
    ["an array", "[1]", "BadRequest"],
    ["a string", '"text"', "BadRequest"],
    ["an oversize body", JSON.stringify({ reason: "x".repeat(70_000) }), "PayloadTooLarge"],
  ])("refuses %s", async (_label, body, code) => {
    await expect(readJsonBody(request(body))).rejects.toMatchObject({ code });
  });
});

describe("optional fields", () => {
  it("accepts absent and null, refuses other types naming the field", () => {
    expect(optionalString({}, "reason")).toBeUndefined();
    expect(optionalBoolean({ dryRun: null }, "dryRun")).toBeUndefined();
    expect(() => optionalString({ reason: 5 }, "reason")).toThrow(/reason must be a string/);
    expect(() => optionalBoolean({ dryRun: "yes" }, "dryRun")).toThrow(/dryRun must be true or false/);
  });
});
