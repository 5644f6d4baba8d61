// The app's Table client follows AzureWebJobsStorage: a connection string, or a token on the table endpoint.
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { describe, expect, it } from "vitest";
import { createAzureClients } from "../../../../src/lib/azure";
import { loadSettings } from "../../../../src/lib/settings";

const appSettings = {
  CMK_ALLOWED_VAULTS: "kv1",
  CMK_REVOCATION_SECRET: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
  CMK_SWEEP_SCHEDULE: "0 0 */6 * * *",
};

/** A credential that records the scopes it was asked for and answers with a fixed token. */
function recordingCredential(): TokenCredential & { requestedScopes: string[] } {
  const requestedScopes: string[] = [];
  return {
    requestedScopes,
    getToken(scopes): Promise<AccessToken> {
      requestedScopes.push(...(Array.isArray(scopes) ? scopes : [scopes]));
      return Promise.resolve({ token: "token", expiresOnTimestamp: Date.now() + 3_600_000 });
    },
  };
}

describe("the app's Table client", () => {
  it("is built from the connection string locally", () => {
    const settings = loadSettings({
      ...appSettings,
      AzureWebJobsStorage:
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;",
    });
    const table = createAzureClients(settings).tableClient("bindings");
    expect(table.url).toBe("http://127.0.0.1:10002/devstoreaccount1");
    expect(table.tableName).toBe("bindings");
  });

  it("is built from the account name with a token credential in Azure", async () => {
    const settings = loadSettings({
      ...appSettings,
      AzureWebJobsStorage__accountName: "contosocmkst01",
      AzureWebJobsStorage__credential: "managedidentity",
      AzureWebJobsStorage__clientId: "00000000-0000-0000-0000-000000000001",
    });
    const credential = recordingCredential();
    const table = createAzureClients(settings, {
      credential,
      retryOptions: { maxRetries: 0 },
    }).tableClient("bindings");
    expect(table.url).toBe("https://contosocmkst01.table.core.windows.net");
    // The request fails (no network here), but only after the token for Table Storage was asked for.
    await table.createTable().catch(() => undefined);
    expect(credential.requestedScopes).toContain("https://storage.azure.com/.default");
  });

  it("builds a managed-identity credential of its own when no credential is passed", () => {
    const settings = loadSettings({
      ...appSettings,
      AzureWebJobsStorage__accountName: "contosocmkst01",
      AzureWebJobsStorage__credential: "managedidentity",
    });
    expect(() => createAzureClients(settings).tableClient("audit")).not.toThrow();
  });
});
