// Enterprise policy wire shapes (api-version 2020-10-30 / 2020-10-30-preview): request parsing and resource body.
import { ArmError, isRecord, optionalObject, optionalString, optionalTags } from "../http/armHttp";
import { ENTERPRISE_POLICY_TYPE, resourceId } from "../http/resourceIds";
import type { EnterprisePolicy, PolicyEncryption } from "./EnterprisePolicy";

export const POLICY_API_VERSIONS = ["2020-10-30", "2020-10-30-preview"];

/** A PUT body in domain terms. */
export interface PolicyDefinition {
  location: string;
  kind: string;
  tags: Record<string, string>;
  identityType: string;
  encryption?: PolicyEncryption;
  /** Seeding only: a fixed principal id for the system-assigned identity (never read from the wire). */
  principalId?: string;
}

/** A PATCH body in domain terms: only what is present changes; `keyVersion: null` makes the policy versionless. */
export interface PolicyPatch {
  tags?: Record<string, string>;
  encryption?: {
    state?: string;
    keyVaultId?: string;
    keyName?: string;
    keyVersion?: string | null;
  };
}

function invalid(message: string): ArmError {
  return new ArmError(400, "InvalidRequestContent", message);
}

export function parsePolicyPut(body: unknown): PolicyDefinition {
  if (!isRecord(body)) throw invalid("The request body must be a JSON object.");
  const location = optionalString(body, "location", "location");
  const kind = optionalString(body, "kind", "kind");
  if (!location) throw invalid("'location' is required.");
  if (!kind)
    throw invalid("'kind' is required (Encryption, Lockbox, NetworkInjection, PrivateEndpoint, Identity).");
  const identity = optionalObject(body, "identity", "identity");
  const identityType = (identity && optionalString(identity, "type", "identity.type")) ?? "None";
  const properties = optionalObject(body, "properties", "properties") ?? {};
  const definition: PolicyDefinition = {
    location,
    kind,
    tags: optionalTags(body, "tags") ?? {},
    identityType,
  };
  if (kind.toLowerCase() === "encryption") {
    if (identityType !== "SystemAssigned") {
      throw invalid("An Encryption enterprise policy needs identity.type 'SystemAssigned'.");
    }
    const encryption = optionalObject(properties, "encryption", "properties.encryption");
    if (!encryption) throw invalid("'properties.encryption' is required for kind Encryption.");
    const patch = parseEncryptionPatch(encryption);
    if (!patch.keyVaultId || !patch.keyName) {
      throw invalid(
        "'properties.encryption.keyVault.id' and 'properties.encryption.keyVault.key.name' are required.",
      );
    }
    definition.encryption = {
      state: patch.state ?? "Enabled",
      keyVaultId: patch.keyVaultId,
      keyName: patch.keyName,
      keyVersion: patch.keyVersion ?? undefined,
    };
  }
  return definition;
}

export function parsePolicyPatch(body: unknown): PolicyPatch {
  if (!isRecord(body)) throw invalid("The request body must be a JSON object.");
  const patch: PolicyPatch = { tags: optionalTags(body, "tags") };
  const properties = optionalObject(body, "properties", "properties");
  const encryption = properties && optionalObject(properties, "encryption", "properties.encryption");
  if (encryption) patch.encryption = parseEncryptionPatch(encryption);
  return patch;
}

function parseEncryptionPatch(encryption: Record<string, unknown>): NonNullable<PolicyPatch["encryption"]> {
  const keyVault = optionalObject(encryption, "keyVault", "properties.encryption.keyVault");
  const key = keyVault && optionalObject(keyVault, "key", "properties.encryption.keyVault.key");
  const result: NonNullable<PolicyPatch["encryption"]> = {
    state: optionalString(encryption, "state", "properties.encryption.state"),
    keyVaultId: keyVault && optionalString(keyVault, "id", "properties.encryption.keyVault.id"),
    keyName: key && optionalString(key, "name", "properties.encryption.keyVault.key.name"),
  };
  if (key && "version" in key) {
    const version = key.version;
    if (version !== null && typeof version !== "string")
      throw invalid("'keyVault.key.version' must be a string.");
    result.keyVersion = version === "" ? null : version;
  }
  return result;
}

/** The policy as the resource provider returns it. */
export function policyToWire(policy: EnterprisePolicy, tenantId: string): Record<string, unknown> {
  const properties: Record<string, unknown> = {
    systemId: policy.systemId,
    healthStatus: policy.health,
    provisioningState: policy.provisioningState,
  };
  if (policy.encryption) {
    const { state, keyVaultId, keyName, keyVersion } = policy.encryption;
    properties.encryption = {
      state,
      keyVault: { id: keyVaultId, key: { name: keyName, ...(keyVersion ? { version: keyVersion } : {}) } },
    };
  }
  return {
    id: resourceId(policy.subscriptionId, policy.resourceGroup, ENTERPRISE_POLICY_TYPE, policy.name),
    name: policy.name,
    type: ENTERPRISE_POLICY_TYPE,
    location: policy.location,
    kind: policy.kind,
    tags: policy.tags,
    identity: { type: "SystemAssigned", systemAssignedIdentityPrincipalId: policy.principalId, tenantId },
    properties,
    systemData: {
      createdBy: "cmk-rotator-sandbox",
      createdByType: "Application",
      createdAt: policy.createdAt,
      lastModifiedBy: "cmk-rotator-sandbox",
      lastModifiedByType: "Application",
      lastModifiedAt: policy.lastModifiedAt,
    },
  };
}
