// Unit tests of Key Vault failure mapping: a disabled key is a state (KeyDisabled), not a missing role.
import { RestError, createHttpHeaders, createPipelineRequest } from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { describeFailure } from "../../../../src/lib/errors";
import { keyVaultFailure } from "../../../../src/lib/keys";

const key = { vaultName: "kv1", keyName: "cmk" };

function restError(statusCode: number, message: string, code: string): RestError {
  const request = createPipelineRequest({ url: "https://kv1.vault.azure.net/keys/cmk/" });
  return new RestError(message, {
    statusCode,
    code,
    request,
    response: { request, status: statusCode, headers: createHttpHeaders() },
  });
}

describe("keyVaultFailure", () => {
  it("maps Key Vault's 403 on a disabled key to KeyDisabled, not retryable", () => {
    const mapped = keyVaultFailure(
      restError(403, "Operation get is not allowed on a disabled key.", "Forbidden"),
      key,
    );
    expect(mapped.code).toBe("KeyDisabled");
    expect(mapped.status).toBe(409);
    expect(describeFailure(mapped).isRetryable).toBe(false);
  });

  it("keeps a missing role as DependencyForbidden and a missing version as KeyVersionNotFound", () => {
    expect(
      keyVaultFailure(
        restError(403, "Caller is not authorized to perform action on resource.", "Forbidden"),
        key,
      ).code,
    ).toBe("DependencyForbidden");
    expect(
      keyVaultFailure(
        restError(404, "A key with (name/id) cmk/v9 was not found.", "KeyNotFound"),
        key,
        "KeyVersionNotFound",
        "v9",
      ).message,
    ).toContain("version v9");
  });
});
