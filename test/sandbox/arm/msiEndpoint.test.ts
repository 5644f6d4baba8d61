// The managed-identity token handler (sandbox/identity/msiEndpoint.ts) on a plain-http loopback server, as App
// Service's own endpoint is, behind DefaultAzureCredential: the system identity and user-assigned ones.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { DefaultAzureCredential, ManagedIdentityCredential } from "@azure/identity";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MsiTokenHandler, readSandboxTokenClaims } from "../../../sandbox/identity";

describe("managed identity token handler", () => {
  let server: Server;
  let endpoint: { endpoint: string; identityHeader: string };
  const savedEnv = {
    IDENTITY_ENDPOINT: process.env.IDENTITY_ENDPOINT,
    IDENTITY_HEADER: process.env.IDENTITY_HEADER,
  };

  beforeAll(async () => {
    const handler = new MsiTokenHandler({
      principalId: "app-principal-2",
      userAssigned: [{ clientId: "uami-client", principalId: "uami-principal" }],
    });
    server = createServer((req, res) => {
      const target = req.url ?? "/";
      const queryStart = target.indexOf("?");
      handler.handle(req, res, new URLSearchParams(queryStart === -1 ? "" : target.slice(queryStart + 1)));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    endpoint = { endpoint: `http://127.0.0.1:${port}/msi/token`, identityHeader: handler.identityHeader };
    Object.assign(process.env, {
      IDENTITY_ENDPOINT: endpoint.endpoint,
      IDENTITY_HEADER: endpoint.identityHeader,
    });
  });
  afterAll(async () => {
    for (const [name, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
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
