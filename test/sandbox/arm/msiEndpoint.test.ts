// The standalone plain-http managed-identity endpoint (sandbox/identity/msiEndpoint.ts) behind DefaultAzureCredential.
import { DefaultAzureCredential, ManagedIdentityCredential } from "@azure/identity";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSandboxTokenClaims, startMsiEndpoint, type RunningMsiEndpoint } from "../../../sandbox/identity";

describe("standalone managed identity endpoint", () => {
  let endpoint: RunningMsiEndpoint;
  const savedEnv = {
    IDENTITY_ENDPOINT: process.env.IDENTITY_ENDPOINT,
    IDENTITY_HEADER: process.env.IDENTITY_HEADER,
  };

  beforeAll(async () => {
    endpoint = await startMsiEndpoint({
      principalId: "app-principal-2",
      userAssigned: [{ clientId: "uami-client", principalId: "uami-principal" }],
    });
    Object.assign(process.env, endpoint.env);
  });
  afterAll(async () => {
    for (const [name, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await endpoint.stop();
  });

  it("serves DefaultAzureCredential (system identity) and a user-assigned identity by client id", async () => {
    const system = await new DefaultAzureCredential().getToken("https://management.azure.com/.default");
    expect(readSandboxTokenClaims(system.token)).toMatchObject({
      oid: "app-principal-2",
      aud: "https://management.azure.com",
    });
    const user = await new ManagedIdentityCredential({ clientId: "uami-client" }).getToken(
      "https://vault.azure.net/.default",
    );
    expect(readSandboxTokenClaims(user.token).oid).toBe("uami-principal");
  });

  it("answers 400 for an unknown user-assigned identity", async () => {
    const response = await fetch(`${endpoint.endpoint}?api-version=2019-08-01&resource=x&client_id=nobody`, {
      headers: { "x-identity-header": endpoint.identityHeader },
    });
    expect(response.status).toBe(400);
  });
});
