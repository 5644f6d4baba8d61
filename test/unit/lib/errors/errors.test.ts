// Unit tests of the domain error vocabulary and the Azure error translation.
import {
  RestError,
  createHttpHeaders,
  createPipelineRequest,
  type PipelineResponse,
} from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import {
  DomainError,
  ERROR_STATUS,
  ThrottledError,
  describeFailure,
  ensureError,
  fromAzureError,
  retryAfterMsOf,
  toErrorResponse,
} from "../../../../src/lib/errors";

function restError(
  statusCode: number | undefined,
  headers: Record<string, string> = {},
  code?: string,
): RestError {
  const request = createPipelineRequest({ url: "https://example.invalid/" });
  const response: PipelineResponse = {
    request,
    status: statusCode ?? 0,
    headers: createHttpHeaders(headers),
  };
  return new RestError(`status ${statusCode}`, {
    statusCode,
    code,
    request,
    response: statusCode === undefined ? undefined : response,
  });
}

const context = { dependency: "Key Vault", subject: "key kv1/cmk", notFoundCode: "KeyNotFound" as const };

describe("error vocabulary", () => {
  it("maps every code to one 4xx or 5xx status", () => {
    for (const status of Object.values(ERROR_STATUS)) expect(status >= 400 && status < 600).toBe(true);
    expect(new DomainError("RotationInProgress", "x").status).toBe(409);
    expect(new DomainError("KeyNotFound", "x").isUserError).toBe(true);
    expect(new DomainError("DependencyThrottled", "x").isUserError).toBe(false);
  });

  it("turns domain errors into their code and anything else into a bare 500", () => {
    expect(toErrorResponse(new DomainError("UnknownVault", "Vault evil is not allowed."))).toEqual({
      status: 400,
      body: { error: { code: "UnknownVault", message: "Vault evil is not allowed." } },
    });
    const hidden = toErrorResponse(new Error("secret stack detail"));
    expect(hidden.status).toBe(500);
    expect(JSON.stringify(hidden)).not.toContain("secret stack detail");
  });

  it.each([
    ["a string", "boom", "Non-error thrown: boom"],
    ["an object", { a: 1 }, 'Non-error thrown: {"a":1}'],
    ["undefined", undefined, "Non-error thrown: undefined"],
  ])("ensureError wraps %s", (_, thrown, message) => {
    expect(ensureError(thrown).message).toBe(message);
  });
});

describe("fromAzureError", () => {
  it.each([
    [404, "KeyNotFound", 404],
    [403, "DependencyForbidden", 502],
    [401, "DependencyForbidden", 502],
    [500, "DependencyFailed", 502],
    [undefined, "DependencyUnavailable", 503],
  ] as const)("maps status %s to %s", (status, code, httpStatus) => {
    const mapped = fromAzureError(restError(status), context);
    expect(mapped.code).toBe(code);
    expect(mapped.status).toBe(httpStatus);
    expect(mapped.message).toContain("key kv1/cmk");
  });

  it("surfaces 429 as a ThrottledError carrying Retry-After", () => {
    const mapped = fromAzureError(restError(429, { "retry-after": "7" }), context);
    expect(mapped).toBeInstanceOf(ThrottledError);
    expect((mapped as ThrottledError).retryAfterMs).toBe(7000);
    expect(describeFailure(mapped)).toEqual({
      code: "DependencyThrottled",
      message: mapped.message,
      isRetryable: true,
      retryAfterMs: 7000,
    });
  });

  it("keeps no request or response (Authorization header) in the mapped error's cause", () => {
    const original = restError(403, {}, "Forbidden");
    original.request?.headers.set("authorization", "Bearer eyJhbGciOiJub25lIn0.eyJvaWQiOiJ4In0.");
    const mapped = fromAzureError(original, context);
    expect(JSON.stringify(mapped.cause)).not.toContain("eyJ");
    expect(mapped.cause).toMatchObject({ statusCode: 403, code: "Forbidden" });
    expect(mapped.cause).not.toHaveProperty("request");
  });

  it("reads Retry-After as seconds, an HTTP date or retry-after-ms", () => {
    expect(retryAfterMsOf(restError(429, { "retry-after-ms": "250" }))).toBe(250);
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(retryAfterMsOf(restError(503, { "retry-after": "Thu, 01 Jan 2026 00:00:05 GMT" }), now)).toBe(
      5000,
    );
    expect(retryAfterMsOf(restError(503))).toBeUndefined();
  });

  it("passes domain errors through and says user errors are not retryable", () => {
    const original = new DomainError("InvalidKeyId", "bad");
    expect(fromAzureError(original, context)).toBe(original);
    expect(describeFailure(original).isRetryable).toBe(false);
    expect(describeFailure(new Error("x"))).toMatchObject({ code: "InternalError", isRetryable: true });
  });
});
