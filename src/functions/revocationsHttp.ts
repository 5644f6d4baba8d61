// Shared by the signed revocation doors: the signed-request handler, refusal responses, one audit record per refusal.
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import type { DurableClient, HttpDurableClientHandler } from "durable-functions";
import { DomainError } from "../lib/errors";
import { checkSignedRequest, RequestRefusal } from "../lib/revocations";
import { parseJsonObject } from "./http/parseJsonObject";
import { getServices, type Services } from "../lib/services";
import { recordRejection } from "./http/recordRejection";
import { readBodyText } from "./http/readJsonBody";
import { failure, json } from "./http/respond";

/** Starts what a signed request asks for (its JSON body already parsed) and names the revocation it answers for. */
export type SignedRevocationStart = (
  body: Record<string, unknown>,
  request: HttpRequest,
  client: DurableClient,
  services: Services,
  nowMs: number,
) => Promise<{ id: string }>;

/**
 * The handler of a signed revocation door: read the exact bytes the caller signed, check the
 * signature, parse JSON only then, start, and answer 202 with the revocation's status URL;
 * every refusal is answered and audited under `source`.
 */
export function signedRevocationHandler(
  source: string,
  start: SignedRevocationStart,
): HttpDurableClientHandler {
  return async (request, client, context) => {
    const services = getServices();
    // The signer's clock is the wall clock, never the sandbox's virtual one.
    const nowMs = Date.now();
    try {
      const secret = services.settings.revocationSecret;
      // Never sign-check against a value that is not a secret (e.g. an unresolved Key Vault reference).
      if (!secret.usable) throw new DomainError("RevocationSecretUnusable", secret.problem);
      const rawBody = await readBodyText(request);
      checkSignedRequest(secret.key, request.headers, rawBody, nowMs);
      const started = await start(parseJsonObject(rawBody), request, client, services, nowMs);
      const statusUrl = new URL(`/api/revocations/${encodeURIComponent(started.id)}`, request.url).toString();
      return json(202, { id: started.id, statusUrl }, { location: statusUrl });
    } catch (error) {
      // One audit row per refusal, with the precise reason and never the body, signature or secret.
      await recordRejection(error, context, source, {
        atMs: nowMs,
        reason: error instanceof RequestRefusal ? error.reason : undefined,
      });
      return refusalResponse(error, context);
    }
  };
}

/**
 * The response to a failed request: a signature/timestamp/replay refusal answers 401 with its
 * precise reason as the code; 429 carries Retry-After; 409s carry the id of what is in the way.
 */
function refusalResponse(error: unknown, context: InvocationContext): HttpResponseInit {
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
