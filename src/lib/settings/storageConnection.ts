// Reads how the app reaches its own storage: a connection string (local) or an identity-based connection (Azure).
import { SettingsError } from "./SettingsError";
import type { SettingName, StorageConnection } from "./types";

type Environment = Readonly<Record<string, string | undefined>>;

/** Storage account names: 3-24 lowercase letters and digits. */
const STORAGE_ACCOUNT_NAME_PATTERN = /^[a-z0-9]{3,24}$/;

/** The only `__credential` value the Functions host knows; absent means the default credential chain. */
const MANAGED_IDENTITY_CREDENTIAL = "managedidentity";

function valueOf(env: Environment, name: SettingName): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/** A service URI: https, or http on loopback (emulators); no query or fragment. Returns it without a trailing slash. */
function serviceUri(name: SettingName, value: string): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new SettingsError(
      name,
      "is not a URL: give the service endpoint, e.g. https://<account>.table.core.windows.net.",
    );
  }
  const isLoopback = ["localhost", "127.0.0.1", "[::1]"].includes(parsed.hostname);
  if (parsed.protocol !== "https:" && !(parsed.protocol === "http:" && isLoopback)) {
    throw new SettingsError(name, "must be an https URL (http only on loopback).");
  }
  if (parsed.search || parsed.hash || parsed.username || parsed.password) {
    throw new SettingsError(name, "must be a bare service endpoint (no query, fragment or credentials).");
  }
  return parsed.toString().replace(/\/+$/, "");
}

/**
 * Reads `AzureWebJobsStorage` the way the Functions host does: the connection string when it is set,
 * otherwise the identity-based form (`AzureWebJobsStorage__accountName` or `__tableServiceUri`, with
 * `__credential=managedidentity` and `__clientId` for a user-assigned identity).
 */
export function readStorageConnection(env: Environment): StorageConnection {
  const connectionString = valueOf(env, "AzureWebJobsStorage");
  if (connectionString !== undefined) return { kind: "connectionString", connectionString };

  const accountName = valueOf(env, "AzureWebJobsStorage__accountName");
  const tableServiceUriValue = valueOf(env, "AzureWebJobsStorage__tableServiceUri");
  // The host needs blob and queue; the app only reads them to refuse a malformed value at start-up.
  for (const name of [
    "AzureWebJobsStorage__blobServiceUri",
    "AzureWebJobsStorage__queueServiceUri",
  ] as const) {
    const value = valueOf(env, name);
    if (value !== undefined) serviceUri(name, value);
  }
  if (accountName === undefined && tableServiceUriValue === undefined) {
    const hasOtherIdentityPart = [
      "AzureWebJobsStorage__blobServiceUri",
      "AzureWebJobsStorage__queueServiceUri",
      "AzureWebJobsStorage__credential",
      "AzureWebJobsStorage__clientId",
    ].some((name) => valueOf(env, name as SettingName) !== undefined);
    if (hasOtherIdentityPart) {
      throw new SettingsError(
        "AzureWebJobsStorage__accountName",
        "is not set: an identity-based connection needs the account name (or AzureWebJobsStorage__tableServiceUri for the app's tables).",
      );
    }
    throw new SettingsError(
      "AzureWebJobsStorage",
      "is not set: give the storage account connection string (UseDevelopmentStorage=true locally) or, in Azure, AzureWebJobsStorage__accountName with a managed identity.",
    );
  }
  if (accountName !== undefined && !STORAGE_ACCOUNT_NAME_PATTERN.test(accountName)) {
    throw new SettingsError(
      "AzureWebJobsStorage__accountName",
      `has "${accountName}", which is not a storage account name (3-24 lowercase letters and digits).`,
    );
  }

  const credentialValue = valueOf(env, "AzureWebJobsStorage__credential");
  const isManagedIdentity = credentialValue?.toLowerCase() === MANAGED_IDENTITY_CREDENTIAL;
  if (credentialValue !== undefined && !isManagedIdentity) {
    throw new SettingsError(
      "AzureWebJobsStorage__credential",
      `must be "${MANAGED_IDENTITY_CREDENTIAL}" or unset (unset: the default credential chain).`,
    );
  }
  const clientId = valueOf(env, "AzureWebJobsStorage__clientId");
  if (clientId !== undefined && !isManagedIdentity) {
    throw new SettingsError(
      "AzureWebJobsStorage__clientId",
      `is set but AzureWebJobsStorage__credential is not "${MANAGED_IDENTITY_CREDENTIAL}": set both, or remove the client id.`,
    );
  }

  return {
    kind: "identity",
    tableServiceUri:
      tableServiceUriValue === undefined
        ? `https://${accountName}.table.core.windows.net`
        : serviceUri("AzureWebJobsStorage__tableServiceUri", tableServiceUriValue),
    isManagedIdentityOnly: isManagedIdentity,
    clientId,
  };
}
