// Checks the HMAC signature and timestamp of a revocation webhook request against the wall clock.
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from "../signing";
import { RequestRefusal } from "./RequestRefusal";

/** Header lookup, as `HttpRequest.headers` and `Headers` both offer it. */
export interface HeaderSource {
  get(name: string): string | null;
}

/**
 * Throws RequestRefusal unless the raw body is signed with `secret` within 300 s of `nowMs`.
 * `nowMs` is the wall clock (Date.now()), never the sandbox's virtual clock: the signer's clock is real.
 */
export function checkSignedRequest(
  secret: string,
  headers: HeaderSource,
  rawBody: string,
  nowMs: number,
): void {
  const failure = verifySignature(
    secret,
    { signature: headers.get(SIGNATURE_HEADER), timestamp: headers.get(TIMESTAMP_HEADER), rawBody },
    Math.floor(nowMs / 1000),
  );
  if (failure) throw new RequestRefusal(failure);
}
