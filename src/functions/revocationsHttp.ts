// Shared by the revocation doors: read the raw body for the signature, answer refusals, leave one audit record per refusal.
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { DomainError, ensureError } from "../lib/errors";
import { RequestRefusal } from "../lib/revocations";
import type { Services } from "../lib/services";
import { MAX_BODY_BYTES } from "./http/readJsonBody";
import { failure, json } from "./http/respond";

/** The exact bytes the caller signed, as text: JSON is parsed only after the signature checked out. */
export async function readRawBody(request: HttpRequest): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) {
    throw new DomainError(
      "PayloadTooLarge",
      `The body is ${declared} bytes; at most ${MAX_BODY_BYTES} are accepted.`,
    );
  }
  const text = await request.text();
  if (Buffer.byteLength(text, "utf8") > MAX_BODY_BYTES) {
    throw new DomainError("PayloadTooLarge", `The body is larger than ${MAX_BODY_BYTES} bytes.`);
  }
  return text;
}

/**
 * The response to a failed request: a signature/timestamp/replay refusal answers 401 with its
 * precise reason as the code; 429 carries Retry-After; 409s carry the id of what is in the way.
 */
export function refusalResponse(error: unknown, context: InvocationContext): HttpResponseInit {
  if (error instanceof RequestRefusal)
    return json(401, { error: { code: error.reason, message: error.message } });
  if (error instanceof DomainError && error.isUserError) {
    const body: Record<string, unknown> = { error: { code: error.code, message: error.message } };
    const retryAfterSeconds = error.details?.retryAfterSeconds;
    const headers: Record<string, string> =
      retryAfterSeconds === undefined ? {} : { "retry-after": String(retryAfterSeconds) };
    if (error.status === 409 && typeof error.details?.id === "string") body.id = error.details.id;
    return json(error.status, body, headers);
  }
  return failure(error, context);
}

/** Exactly one audit row per refused request, with the reason code and never the body, signature or secret. */
export async function recordRefusal(
  services: Services,
  error: unknown,
  context: InvocationContext,
  source: string,
  nowMs: number,
): Promise<void> {
  if (!(error instanceof DomainError) || !error.isUserError) return;
  try {
    await services.audit.recordDecision({
      kind: "rejection",
      reason: error instanceof RequestRefusal ? error.reason : error.code,
      detail: error.message,
      source,
      atMs: nowMs,
    });
  } catch (recordError) {
    context.warn(
      `${context.functionName}: could not record the refusal: ${ensureError(recordError).message}`,
    );
  }
}
