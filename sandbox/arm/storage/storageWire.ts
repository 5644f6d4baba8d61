// Storage account wire shapes (api-version 2023-05-01 and later): request parsing and the resource body.
import { ArmError, isRecord } from "../http/armHttp";
import { STORAGE_ACCOUNT_TYPE, resourceId } from "../http/resourceIds";
import type { StorageAccount, StorageEncryptionSettings, StorageKeySource } from "./StorageAccount";

/** The parts of a PUT/PATCH body the emulator understands, in domain terms. */
export interface StorageAccountChanges {
  location?: string;
  kind?: string;
  skuName?: string;
  tags?: Record<string, string>;
  identity?: { type: string; userAssignedIdentityIds: string[] };
  encryption?: StorageEncryptionSettings;
  isHnsEnabled?: boolean;
}

/** Storage (a .NET service) reads JSON property names case-insensitively: `keyvaultproperties` = `keyVaultProperties`. */
function field(source: Record<string, unknown>, name: string): unknown {
  const wanted = name.toLowerCase();
  const key = Object.keys(source).find((k) => k.toLowerCase() === wanted);
  return key === undefined ? undefined : source[key];
}

function stringField(source: Record<string, unknown>, name: string, path: string): string | undefined {
  const value = field(source, name);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw invalid(`'${path}' must be a string.`);
  return value;
}

function objectField(
  source: Record<string, unknown>,
  name: string,
  path: string,
): Record<string, unknown> | undefined {
  const value = field(source, name);
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) throw invalid(`'${path}' must be an object.`);
  return value;
}

function invalid(message: string): ArmError {
  return new ArmError(400, "InvalidRequestContent", message);
}

/** Parses a storage account PUT or PATCH body; malformed parts are a 400 naming the property. */
export function parseStorageAccountBody(body: unknown): StorageAccountChanges {
  if (!isRecord(body)) throw invalid("The request body must be a JSON object.");
  const changes: StorageAccountChanges = {};
  changes.location = stringField(body, "location", "location");
  changes.kind = stringField(body, "kind", "kind");
  const sku = objectField(body, "sku", "sku");
  if (sku) changes.skuName = stringField(sku, "name", "sku.name");
  const tags = objectField(body, "tags", "tags");
  if (tags) {
    if (!Object.values(tags).every((v) => typeof v === "string"))
      throw invalid("Every tag value must be a string.");
    changes.tags = tags as Record<string, string>;
  }
  const identity = objectField(body, "identity", "identity");
  if (identity) changes.identity = parseIdentity(identity);
  const properties = objectField(body, "properties", "properties");
  if (properties) {
    const hns = field(properties, "isHnsEnabled");
    if (hns !== undefined) {
      if (typeof hns !== "boolean") throw invalid("'properties.isHnsEnabled' must be a boolean.");
      changes.isHnsEnabled = hns;
    }
    const encryption = objectField(properties, "encryption", "properties.encryption");
    if (encryption) changes.encryption = parseEncryption(encryption);
  }
  return changes;
}

function parseIdentity(identity: Record<string, unknown>): {
  type: string;
  userAssignedIdentityIds: string[];
} {
  const type = stringField(identity, "type", "identity.type") ?? "None";
  const allowed = ["none", "systemassigned", "userassigned", "systemassigned,userassigned"];
  if (!allowed.includes(type.replace(/\s/g, "").toLowerCase())) {
    throw invalid(
      `'identity.type' must be one of None, SystemAssigned, UserAssigned, SystemAssigned,UserAssigned.`,
    );
  }
  const assigned = objectField(identity, "userAssignedIdentities", "identity.userAssignedIdentities") ?? {};
  return { type, userAssignedIdentityIds: Object.keys(assigned) };
}

function parseEncryption(encryption: Record<string, unknown>): StorageEncryptionSettings {
  const keySourceText = stringField(encryption, "keySource", "properties.encryption.keySource");
  const vaultProperties = objectField(
    encryption,
    "keyvaultproperties",
    "properties.encryption.keyvaultproperties",
  );
  const keySource = parseKeySource(
    keySourceText ?? (vaultProperties ? "Microsoft.Keyvault" : "Microsoft.Storage"),
  );
  const identity = objectField(encryption, "identity", "properties.encryption.identity");
  const settings: StorageEncryptionSettings = { keySource };
  if (identity) {
    settings.userAssignedIdentity = stringField(
      identity,
      "userAssignedIdentity",
      "encryption.identity.userAssignedIdentity",
    );
  }
  if (keySource === "Microsoft.Storage") return settings;
  if (!vaultProperties) {
    throw invalid(
      "'properties.encryption.keyvaultproperties' is required when keySource is Microsoft.Keyvault.",
    );
  }
  settings.keyVaultUri = stringField(vaultProperties, "keyvaulturi", "keyvaultproperties.keyvaulturi");
  settings.keyName = stringField(vaultProperties, "keyname", "keyvaultproperties.keyname");
  settings.keyVersion = stringField(vaultProperties, "keyversion", "keyvaultproperties.keyversion") ?? "";
  if (!settings.keyVaultUri || !settings.keyName) {
    throw invalid(
      "'keyvaultproperties.keyvaulturi' and 'keyvaultproperties.keyname' are required for Microsoft.Keyvault.",
    );
  }
  return settings;
}

function parseKeySource(text: string): StorageKeySource {
  if (text.toLowerCase() === "microsoft.keyvault") return "Microsoft.Keyvault";
  if (text.toLowerCase() === "microsoft.storage") return "Microsoft.Storage";
  throw invalid(
    `'properties.encryption.keySource' must be Microsoft.Storage or Microsoft.Keyvault, got '${text}'.`,
  );
}

/** The account as Storage returns it (GET, PUT, PATCH, list items). */
export function storageAccountToWire(
  account: StorageAccount,
  tenantId: string,
  principalsOf: (identityArmId: string) => { principalId: string; clientId: string },
): Record<string, unknown> {
  const endpoint = (service: string) => `https://${account.name}.${service}.core.windows.net/`;
  const encryptionService = { keyType: "Account", enabled: true, lastEnabledTime: account.creationTime };
  const encryption: Record<string, unknown> = {
    services: { blob: encryptionService, file: encryptionService },
    keySource: account.encryption.keySource,
  };
  if (account.encryption.keySource === "Microsoft.Keyvault") {
    const inUse = account.keyInUse;
    encryption.keyvaultproperties = {
      keyvaulturi: account.encryption.keyVaultUri,
      keyname: account.encryption.keyName,
      keyversion: account.encryption.keyVersion ?? "",
      ...(inUse
        ? {
            currentVersionedKeyIdentifier: `${account.encryption.keyVaultUri?.replace(/\/+$/, "")}/keys/${inUse.keyName}/${inUse.version}`,
            lastKeyRotationTimestamp: account.lastKeyRotationTimestamp,
            ...(inUse.expiresOnSeconds !== undefined
              ? {
                  currentVersionedKeyExpirationTimestamp: new Date(
                    inUse.expiresOnSeconds * 1000,
                  ).toISOString(),
                }
              : {}),
          }
        : {}),
    };
    if (account.encryption.userAssignedIdentity) {
      encryption.identity = { userAssignedIdentity: account.encryption.userAssignedIdentity };
    }
  }
  const wire: Record<string, unknown> = {
    id: resourceId(account.subscriptionId, account.resourceGroup, STORAGE_ACCOUNT_TYPE, account.name),
    name: account.name,
    type: STORAGE_ACCOUNT_TYPE,
    location: account.location,
    kind: account.kind,
    sku: { name: account.skuName, tier: account.skuName.startsWith("Premium") ? "Premium" : "Standard" },
    tags: account.tags,
    properties: {
      creationTime: account.creationTime,
      provisioningState: account.provisioningState,
      isHnsEnabled: account.isHnsEnabled,
      encryption,
      primaryEndpoints: {
        web: endpoint("web"),
        dfs: endpoint("dfs"),
        blob: endpoint("blob"),
        file: endpoint("file"),
        queue: endpoint("queue"),
        table: endpoint("table"),
      },
      primaryLocation: account.location,
      statusOfPrimary: "available",
      supportsHttpsTrafficOnly: true,
      minimumTlsVersion: "TLS1_2",
    },
  };
  if (account.identity.type !== "None") {
    const identity: Record<string, unknown> = { type: account.identity.type };
    if (account.identity.principalId) {
      identity.principalId = account.identity.principalId;
      identity.tenantId = tenantId;
    }
    if (account.identity.userAssignedIdentityIds.length > 0) {
      identity.userAssignedIdentities = Object.fromEntries(
        account.identity.userAssignedIdentityIds.map((id) => [id, principalsOf(id)]),
      );
    }
    wire.identity = identity;
  }
  return wire;
}
