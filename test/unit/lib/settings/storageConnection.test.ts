// The app's own storage: a connection string locally, an identity-based connection in Azure, read as the host reads them.
import { describe, expect, it } from "vitest";
import { SettingsError, readStorageConnection } from "../../../../src/lib/settings";

function failure(env: Record<string, string | undefined>): SettingsError {
  try {
    readStorageConnection(env);
  } catch (error) {
    if (error instanceof SettingsError) return error;
    throw error;
  }
  throw new Error("readStorageConnection accepted the settings");
}

describe("readStorageConnection", () => {
  it("takes the connection string when AzureWebJobsStorage is set (it wins over the identity form, as in the host)", () => {
    expect(
      readStorageConnection({
        AzureWebJobsStorage: "UseDevelopmentStorage=true",
        AzureWebJobsStorage__accountName: "ignored",
      }),
    ).toEqual({ kind: "connectionString", connectionString: "UseDevelopmentStorage=true" });
  });

  it("derives the table endpoint from the account name, with the user-assigned identity", () => {
    expect(
      readStorageConnection({
        AzureWebJobsStorage__accountName: "contosocmkst01",
        AzureWebJobsStorage__credential: "managedidentity",
        AzureWebJobsStorage__clientId: "00000000-0000-0000-0000-000000000001",
      }),
    ).toEqual({
      kind: "identity",
      tableServiceUri: "https://contosocmkst01.table.core.windows.net",
      isManagedIdentityOnly: true,
      clientId: "00000000-0000-0000-0000-000000000001",
    });
  });

  it("uses the default credential chain when __credential is not set", () => {
    const connection = readStorageConnection({ AzureWebJobsStorage__accountName: "devaccount" });
    expect(connection).toMatchObject({ kind: "identity", isManagedIdentityOnly: false });
  });

  it("takes an explicit table service URI (sovereign clouds, private DNS) over the account name", () => {
    expect(
      readStorageConnection({
        AzureWebJobsStorage__tableServiceUri: "https://acct.table.core.chinacloudapi.cn/",
        AzureWebJobsStorage__blobServiceUri: "https://acct.blob.core.chinacloudapi.cn",
        AzureWebJobsStorage__queueServiceUri: "https://acct.queue.core.chinacloudapi.cn",
        AzureWebJobsStorage__credential: "ManagedIdentity",
      }),
    ).toEqual({
      kind: "identity",
      tableServiceUri: "https://acct.table.core.chinacloudapi.cn",
      isManagedIdentityOnly: true,
      clientId: undefined,
    });
  });

  it.each([
    ["AzureWebJobsStorage", {}, /is not set.*AzureWebJobsStorage__accountName/],
    [
      "AzureWebJobsStorage__accountName",
      { AzureWebJobsStorage__credential: "managedidentity" },
      /is not set: an identity-based connection/,
    ],
    [
      "AzureWebJobsStorage__accountName",
      { AzureWebJobsStorage__blobServiceUri: "https://a.blob.core.windows.net" },
      /is not set/,
    ],
    [
      "AzureWebJobsStorage__accountName",
      { AzureWebJobsStorage__accountName: "Has-Hyphens" },
      /not a storage account name/,
    ],
    [
      "AzureWebJobsStorage__credential",
      { AzureWebJobsStorage__accountName: "acct", AzureWebJobsStorage__credential: "clientsecret" },
      /must be "managedidentity"/,
    ],
    [
      "AzureWebJobsStorage__clientId",
      { AzureWebJobsStorage__accountName: "acct", AzureWebJobsStorage__clientId: "id" },
      /__credential is not "managedidentity"/,
    ],
    [
      "AzureWebJobsStorage__tableServiceUri",
      { AzureWebJobsStorage__tableServiceUri: "http://acct.table.core.windows.net" },
      /https/,
    ],
    [
      "AzureWebJobsStorage__tableServiceUri",
      { AzureWebJobsStorage__tableServiceUri: "not a url" },
      /not a URL/,
    ],
    [
      "AzureWebJobsStorage__blobServiceUri",
      {
        AzureWebJobsStorage__accountName: "acct",
        AzureWebJobsStorage__blobServiceUri: "https://a.blob?sig=x",
      },
      /bare service endpoint/,
    ],
    [
      "AzureWebJobsStorage__queueServiceUri",
      { AzureWebJobsStorage__accountName: "acct", AzureWebJobsStorage__queueServiceUri: "ftp://a.queue" },
      /https/,
    ],
  ])("refuses a bad %s", (setting, env, message) => {
    const error = failure(env);
    expect(error.setting).toBe(setting);
    expect(error.message).toContain(setting);
    expect(error.message).toMatch(message);
  });
});
