import { describe, expect, it } from "vitest";
import { signBody, verifySignature } from "../../../../src/lib/signing";

const secret = "0123456789abcdef0123456789abcdef";
const now = 1_800_000_000;

describe("verifySignature", () => {
  const body = JSON.stringify({ keyId: "https://kv/keys/k", reason: "incident", requestId: "r1" });
  const signature = signBody(secret, now, body);

  it.each([
    ["valid", { signature, timestamp: String(now), rawBody: body }, now, undefined],
    [
      "valid at the window edge",
      { signature: signBody(secret, now - 300, body), timestamp: String(now - 300), rawBody: body },
      now,
      undefined,
    ],
    [
      "no signature",
      { signature: undefined, timestamp: String(now), rawBody: body },
      now,
      "MissingSignature",
    ],
    ["no timestamp", { signature, timestamp: undefined, rawBody: body }, now, "MissingTimestamp"],
    ["non-numeric timestamp", { signature, timestamp: "soon", rawBody: body }, now, "MalformedTimestamp"],
    [
      "301 s old",
      { signature: signBody(secret, now - 301, body), timestamp: String(now - 301), rawBody: body },
      now,
      "TimestampOutOfWindow",
    ],
    [
      "301 s in the future",
      { signature: signBody(secret, now + 301, body), timestamp: String(now + 301), rawBody: body },
      now,
      "TimestampOutOfWindow",
    ],
    [
      "malformed signature",
      { signature: "sha1=abc", timestamp: String(now), rawBody: body },
      now,
      "MalformedSignature",
    ],
    [
      "body changed after signing",
      { signature, timestamp: String(now), rawBody: body.replace("incident", "incidenT") },
      now,
      "SignatureMismatch",
    ],
    [
      "wrong secret",
      {
        signature: signBody("another-secret-another-secret-xx", now, body),
        timestamp: String(now),
        rawBody: body,
      },
      now,
      "SignatureMismatch",
    ],
  ] as const)("%s", (_name, request, nowSeconds, expected) => {
    expect(verifySignature(secret, request, nowSeconds)).toBe(expected);
  });

  it("signs as sha256=<64 hex>", () => {
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
  });
});
