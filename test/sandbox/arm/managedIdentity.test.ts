// The ARM emulator's /msi/token: @azure/identity uses it unmodified via IDENTITY_ENDPOINT/IDENTITY_HEADER.
// (msal-node keeps its managed-identity source per process, so the standalone endpoint has its own file.)
import { ManagedIdentityCredential } from "@azure/identity";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { VirtualClock } from "../../../sandbox/clock";
import { readSandboxTokenClaims } from "../../../sandbox/identity";
import { startArmEmulator, type ArmEmulator } from "../../../sandbox/arm";

const savedEnv = {
  IDENTITY_ENDPOINT: process.env.IDENTITY_ENDPOINT,
  IDENTITY_HEADER: process.env.IDENTITY_HEADER,
};

function useEndpoint(env: { IDENTITY_ENDPOINT: string; IDENTITY_HEADER: string }): void {
  process.env.IDENTITY_ENDPOINT = env.IDENTITY_ENDPOINT;
  process.env.IDENTITY_HEADER = env.IDENTITY_HEADER;
}

describe("managed identity endpoint", () => {
  const clock = new VirtualClock();
  let arm: ArmEmulator;

  beforeAll(async () => {
    arm = await startArmEmulator({ clock, keyVaults: {}, appPrincipalId: "app-principal-1" });
  });
  afterEach(() => {
    for (const [name, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
  afterAll(async () => {
    await arm.stop();
    clock.clearAll();
  });

  it("gives ManagedIdentityCredential a token for the app's principal from the ARM emulator's /msi/token", async () => {
    useEndpoint(arm.managedIdentity.env);
    const token = await new ManagedIdentityCredential().getToken("https://vault.azure.net/.default");
    expect(readSandboxTokenClaims(token.token)).toMatchObject({
      oid: "app-principal-1",
      aud: "https://vault.azure.net",
    });
    expect(token.expiresOnTimestamp).toBeGreaterThan(Date.now() + 3_000_000);
  });

  it("refuses a request without the identity header", async () => {
    const response = await fetch(
      `${arm.managedIdentity.endpoint}?api-version=2019-08-01&resource=https://vault.azure.net`,
    );
    expect(response.status).toBe(401);
    const withHeader = await fetch(`${arm.managedIdentity.endpoint}?api-version=2019-08-01`, {
      headers: { "x-identity-header": arm.managedIdentity.identityHeader },
    });
    expect(withHeader.status).toBe(400);
  });
});
