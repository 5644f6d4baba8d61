// Signature, timestamp and body checks of the revocation webhook: every refusal carries its reason code.
import { describe, expect, it } from "vitest";
import { DomainError } from "../../../../src/lib/errors";
import {
  RequestRefusal,
  checkSignedRequest,
  parseRestoreRequest,
  parseRevokeRequest,
} from "../../../../src/lib/revocations";
import { signBody } from "../../../../src/lib/signing";
import { parseJsonObject } from "../../../../src/functions/http/parseJsonObject";

const SECRET = "unit-revocation-secret-0123456789abcdef";
const NOW_MS = 1_800_000_000_000;
const NOW_S = NOW_MS / 1000;
const BODY = JSON.stringify({
  keyId: "https://kv1.vault.azure.net/keys/cmk",
  reason: "breach",
  requestId: "req-00000001",
});

function headers(values: Record<string, string>) {
  const map = new Map(Object.entries(values));
  return { get: (name: string) => map.get(name) ?? null };
}

function reasonOf(run: () => void): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(RequestRefusal);
    expect((error as RequestRefusal).status).toBe(401);
    return (error as RequestRefusal).reason;
  }
}

describe("checkSignedRequest", () => {
  const signed = (timestamp: number, body = BODY, secret = SECRET) =>
    headers({ "x-cmk-timestamp": String(timestamp), "x-cmk-signature": signBody(secret, timestamp, body) });

  it.each([
    ["accepts a fresh signature", signed(NOW_S), BODY, undefined],
    ["accepts a timestamp 300 s old", signed(NOW_S - 300), BODY, undefined],
    ["refuses no signature", headers({ "x-cmk-timestamp": String(NOW_S) }), BODY, "MissingSignature"],
    [
      "refuses no timestamp",
      headers({ "x-cmk-signature": signBody(SECRET, NOW_S, BODY) }),
      BODY,
      "MissingTimestamp",
    ],
    [
      "refuses the wrong secret",
      signed(NOW_S, BODY, "another-secret-0123456789abcdef-xyz"),
      BODY,
      "SignatureMismatch",
    ],
    [
      "refuses a body changed after signing",
      signed(NOW_S),
      BODY.replace("breach", "breach!"),
      "SignatureMismatch",
    ],
    ["refuses a timestamp 301 s old", signed(NOW_S - 301), BODY, "TimestampOutOfWindow"],
    ["refuses a timestamp 301 s in the future", signed(NOW_S + 301), BODY, "TimestampOutOfWindow"],
    [
      "refuses a malformed signature",
      headers({ "x-cmk-timestamp": String(NOW_S), "x-cmk-signature": "md5=abc" }),
      BODY,
      "MalformedSignature",
    ],
    [
      "refuses a timestamp in milliseconds text",
      headers({ "x-cmk-timestamp": "soon", "x-cmk-signature": signBody(SECRET, NOW_S, BODY) }),
      BODY,
      "MalformedTimestamp",
    ],
  ])("%s", (_name, given, body, expected) => {
    expect(reasonOf(() => checkSignedRequest(SECRET, given, body, NOW_MS))).toBe(expected);
  });
});

describe("request bodies", () => {
  it("parses a revoke request and trims its fields", () => {
    expect(parseRevokeRequest(parseJsonObject(BODY))).toEqual({
      keyId: "https://kv1.vault.azure.net/keys/cmk",
      reason: "breach",
      requestId: "req-00000001",
    });
  });

  it.each([
    ["", "InvalidJson"],
    ["{not json", "InvalidJson"],
    ["[1]", "BadRequest"],
    ['{"keyId":"k","reason":"r"}', "BadRequest"],
    ['{"keyId":"k","reason":"r","requestId":"short"}', "BadRequest"],
    ['{"keyId":"k","reason":"r","requestId":"req-00000001","extra":1}', "BadRequest"],
    ['{"keyId":"k","reason":7,"requestId":"req-00000001"}', "BadRequest"],
  ])("refuses revoke body %j with %s (400)", (raw, code) => {
    try {
      parseRevokeRequest(parseJsonObject(raw));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe(code);
      expect((error as DomainError).status).toBe(400);
    }
  });

  it("parses a restore request, re-enabling environments unless told not to", () => {
    expect(parseRestoreRequest({ reason: "all clear", requestId: "req-00000002" })).toEqual({
      reason: "all clear",
      requestId: "req-00000002",
      reenableEnvironments: true,
    });
    expect(
      parseRestoreRequest({ reason: "x", requestId: "req-00000003", reenableEnvironments: false })
        .reenableEnvironments,
    ).toBe(false);
    expect(() =>
      parseRestoreRequest({ reason: "x", requestId: "req-00000003", reenableEnvironments: "no" }),
    ).toThrow(/true or false/);
  });
});
