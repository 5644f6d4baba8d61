// The 401 of the revocation webhook: a DomainError "Unauthorized" that also carries the precise reason code.
import { DomainError } from "../errors";
import type { RefusalReason } from "./types";

const MESSAGES: Record<RefusalReason, string> = {
  MissingSignature: "Sign the request: send x-cmk-signature: sha256=<hex HMAC-SHA256 of timestamp.body>.",
  MissingTimestamp: "Send x-cmk-timestamp with the Unix time (seconds) the request was signed at.",
  MalformedTimestamp: "x-cmk-timestamp must be a Unix time in whole seconds.",
  TimestampOutOfWindow:
    "x-cmk-timestamp is more than 300 s away from the current time; sign the request again now.",
  MalformedSignature: "x-cmk-signature must be sha256= followed by 64 hex digits.",
  SignatureMismatch:
    "The signature does not match the body; sign timestamp + '.' + the exact body with the revocation secret.",
  ReplayedRequest: "This requestId was already used; send every request with a new requestId.",
};

/** Refused signed request; `reason` is the code the door answers with, nothing was changed. */
export class RequestRefusal extends DomainError {
  readonly reason: RefusalReason;

  constructor(reason: RefusalReason) {
    super("Unauthorized", MESSAGES[reason], { details: { reason } });
    this.reason = reason;
  }
}
