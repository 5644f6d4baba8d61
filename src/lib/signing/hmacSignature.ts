// HMAC-SHA256 request signatures of the revocation webhook: sha256=<hex> over `timestamp + "." + rawBody`.
import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "x-cmk-signature";
export const TIMESTAMP_HEADER = "x-cmk-timestamp";
/** How far a signed timestamp may be from the wall clock, either way. */
export const SIGNATURE_WINDOW_SECONDS = 300;

/** Computes the `x-cmk-signature` header value for a request body signed at `timestampSeconds`. */
export function signBody(secret: string, timestampSeconds: number | string, rawBody: string): string {
  const digest = createHmac("sha256", secret).update(`${timestampSeconds}.${rawBody}`, "utf8").digest("hex");
  return `sha256=${digest}`;
}

export type SignatureFailure =
  | "MissingSignature"
  | "MissingTimestamp"
  | "MalformedTimestamp"
  | "TimestampOutOfWindow"
  | "MalformedSignature"
  | "SignatureMismatch";

export interface SignedRequestParts {
  signature: string | null | undefined;
  timestamp: string | null | undefined;
  rawBody: string;
}

/**
 * Checks a signed request against the secret in constant time. Returns the failure reason, or
 * undefined when the signature is valid and its timestamp within the window of `nowSeconds` (wall clock).
 */
export function verifySignature(
  secret: string,
  request: SignedRequestParts,
  nowSeconds: number,
): SignatureFailure | undefined {
  if (!request.signature) return "MissingSignature";
  if (!request.timestamp) return "MissingTimestamp";
  if (!/^\d{1,12}$/.test(request.timestamp.trim())) return "MalformedTimestamp";
  const timestampSeconds = Number(request.timestamp.trim());
  if (Math.abs(nowSeconds - timestampSeconds) > SIGNATURE_WINDOW_SECONDS) return "TimestampOutOfWindow";
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(request.signature.trim());
  if (!match) return "MalformedSignature";
  const expected = Buffer.from(
    signBody(secret, request.timestamp.trim(), request.rawBody).slice("sha256=".length),
    "hex",
  );
  const given = Buffer.from(match[1], "hex");
  return timingSafeEqual(expected, given) ? undefined : "SignatureMismatch";
}
