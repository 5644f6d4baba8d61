// End to end through the local host: a revocation secret App Service could not resolve is never a key; the rest of the app works.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRevocationStack, type ErrorBody, type RevocationStack } from "../../support/revocationStack";
import { seedRevocationKey } from "./seedRevocationEstate";

/** What App Service passes as the value when it cannot resolve the reference: public text, guessable. */
const UNRESOLVED_REFERENCE =
  "@Microsoft.KeyVault(SecretUri=https://contoso-ops.vault.azure.net/secrets/cmk-revocation-secret/)";

let stack: RevocationStack;

beforeAll(async () => {
  stack = await startRevocationStack({ settings: { CMK_REVOCATION_SECRET: UNRESOLVED_REFERENCE } });
});

afterAll(async () => {
  await stack?.stop();
});

describe("revocation secret holding an unresolved Key Vault reference", () => {
  it("refuses a revocation signed with the reference text (503 naming the setting) and disables nothing", async () => {
    const key = await seedRevocationKey(stack, { keyName: "cmk-guessed", versionCount: 2 });
    const signed = stack.sign(
      { keyId: key.keyId, reason: "guessed the vault", requestId: crypto.randomUUID() },
      { secret: UNRESOLVED_REFERENCE },
    );
    const response = await stack.post("/api/revocations", signed);
    expect(response.status).toBe(503);
    const body = (await response.json()) as ErrorBody;
    expect(body.error.code).toBe("RevocationSecretUnusable");
    expect(body.error.message).toContain("CMK_REVOCATION_SECRET");
    expect(body.error.message).toContain("unresolved Key Vault reference");
    expect(body.error.message).not.toContain("contoso-ops");

    const restore = await stack.post(
      "/api/revocations/00000000-0000-4000-8000-000000000000/restore",
      stack.sign({ reason: "x", requestId: crypto.randomUUID() }, { secret: UNRESOLVED_REFERENCE }),
    );
    expect(restore.status).toBe(503);

    const versions = [];
    for await (const version of stack.base.operatorKeys().listPropertiesOfKeyVersions("cmk-guessed")) {
      versions.push(version);
    }
    expect(versions).toHaveLength(2);
    expect(versions.every((version) => version.enabled)).toBe(true);
    expect(stack.base.logs.map((entry) => entry.message).join("\n")).not.toContain(UNRESOLVED_REFERENCE);
  });

  it("reports the setting in GET /api/health while the other doors keep working", async () => {
    const health = await stack.call("/api/health", { key: null });
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({
      status: "degraded",
      dependencies: expect.arrayContaining([
        { name: "tableStorage", status: "ok" },
        expect.objectContaining({
          name: "setting:CMK_REVOCATION_SECRET",
          status: "down",
          detail: expect.stringContaining("unresolved Key Vault reference"),
        }),
      ]),
    });
    const key = await seedRevocationKey(stack, {
      keyName: "cmk-still-rotates",
      versionCount: 1,
      storageName: "ststillrotates",
    });
    const dryRun = await stack.call("/api/rotations", {
      method: "POST",
      body: JSON.stringify({ keyId: key.keyId, reason: "still works", dryRun: true }),
    });
    expect(dryRun.status).toBe(200);
  });
});
