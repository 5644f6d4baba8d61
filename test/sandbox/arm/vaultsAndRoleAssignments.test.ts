// Vault resources, role assignments and RBAC enforcement across the ARM and Key Vault emulators, through official clients.
import { randomUUID } from "node:crypto";
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import { CryptographyClient, KeyClient } from "@azure/keyvault-keys";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sandboxCredential } from "../../../sandbox/identity";
import { KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER } from "../../../sandbox/launcher/keyVaultRbac";
import { testTls } from "../../../sandbox/tls";
import { OPERATOR, VAULT, rawCall, startArmTestBed, type ArmTestBed } from "./armTestBed";

const VAULT_API = "2023-07-01";
const ROLE_API = "2022-04-01";
const ca = testTls().caPem;

describe("ARM emulator: vaults and role assignments, Key Vault RBAC", () => {
  let bed: ArmTestBed;
  let authorization: AuthorizationManagementClient;
  let vaultId: string;

  beforeAll(async () => {
    bed = await startArmTestBed({ isRbacVault: true });
    authorization = new AuthorizationManagementClient(sandboxCredential(OPERATOR), bed.arm.subscriptionId, {
      endpoint: bed.arm.url,
      credentialScopes: [`${bed.arm.url}/.default`],
      tlsOptions: { ca },
      retryOptions: { maxRetries: 0 },
    });
    vaultId = bed.arm.vaults()[0].id;
  });
  afterAll(async () => bed.stop());

  const keysAs = (principalId: string) =>
    new KeyClient(bed.vaultUrl, sandboxCredential(principalId), {
      disableChallengeResourceVerification: true,
      tlsOptions: { ca },
      retryOptions: { maxRetries: 0 },
    });

  it("serves the vault through getById, the generic list and Resource Graph, with its properties", async () => {
    const vault = await bed.resources.resources.getById(vaultId, VAULT_API);
    expect(vault.name).toBe(VAULT);
    expect(vault.type).toBe("Microsoft.KeyVault/vaults");
    expect(vault.properties).toMatchObject({
      enableSoftDelete: true,
      enablePurgeProtection: true,
      enableRbacAuthorization: true,
      accessPolicies: [],
      vaultUri: `${bed.vaultUrl}/`,
    });
    const listed = [];
    for await (const r of bed.resources.resources.list({
      filter: "resourceType eq 'Microsoft.KeyVault/vaults'",
    }))
      listed.push(r.id);
    expect(listed).toEqual([vaultId]);
    const graph = await rawCall(
      `${bed.arm.url}/providers/Microsoft.ResourceGraph/resources?api-version=2022-10-01`,
      {
        method: "POST",
        principalId: OPERATOR,
        body: {
          subscriptions: [bed.arm.subscriptionId],
          query: "resources | where type =~ 'microsoft.keyvault/vaults' | project id, name",
        },
      },
    );
    expect((graph.json as { data: unknown[] }).data).toEqual([{ id: vaultId, name: VAULT }]);

    bed.arm.setVaultProperties(VAULT, { enablePurgeProtection: false });
    const changed = await bed.resources.resources.getById(vaultId, VAULT_API);
    expect(changed.properties).not.toHaveProperty("enablePurgeProtection");
    const control = await rawCall(`${bed.arm.url}/_emulator/vaults/${VAULT}`, {
      method: "PUT",
      body: { enablePurgeProtection: true },
    });
    expect(control.status).toBe(200);
    const bad = await rawCall(`${bed.arm.url}/_emulator/vaults/${VAULT}`, {
      method: "PUT",
      body: { purge: 1 },
    });
    expect(bad.status).toBe(400);
  });

  it("denies a principal without a role (ForbiddenByRbac), then allows it at once after a role assignment", async () => {
    const key = await bed.keys.createRsaKey("rbac-key", { keySize: 2048 });
    const consumer = randomUUID();
    const denied = await keysAs(consumer)
      .getKey("rbac-key")
      .then(
        () => undefined,
        (error: { statusCode?: number; code?: string; message?: string }) => error,
      );
    expect(denied?.statusCode).toBe(403);
    expect(denied?.message).toContain("Caller is not authorized");

    const name = randomUUID();
    const created = await authorization.roleAssignments.create(vaultId, name, {
      roleDefinitionId: `/subscriptions/${bed.arm.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER}`,
      principalId: consumer,
      principalType: "ServicePrincipal",
    });
    expect(created).toMatchObject({ name, scope: vaultId, principalId: consumer });
    const crypto = new CryptographyClient(key.id ?? "", sandboxCredential(consumer), {
      disableChallengeResourceVerification: true,
      tlsOptions: { ca },
    });
    const wrapped = await crypto.wrapKey("RSA-OAEP-256", Buffer.alloc(32, 7));
    expect((await crypto.unwrapKey("RSA-OAEP-256", wrapped.result)).result).toEqual(Buffer.alloc(32, 7));
    // The encryption user may wrap but not manage keys.
    const create = await keysAs(consumer)
      .createRsaKey("not-mine")
      .then(
        () => 200,
        (error: { statusCode?: number }) => error.statusCode,
      );
    expect(create).toBe(403);

    const listed = [];
    for await (const a of authorization.roleAssignments.listForScope(vaultId, {
      filter: `principalId eq '${consumer}'`,
    }))
      listed.push(a.name);
    expect(listed).toEqual([name]);
    expect((await authorization.roleAssignments.get(vaultId, name)).principalId).toBe(consumer);

    const duplicate = await authorization.roleAssignments
      .create(vaultId, randomUUID(), {
        roleDefinitionId: KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER,
        principalId: consumer,
      })
      .then(
        () => undefined,
        (error: { statusCode?: number; code?: string }) => error,
      );
    expect(duplicate).toMatchObject({ statusCode: 409, code: "RoleAssignmentExists" });
    const unknownRole = await authorization.roleAssignments
      .create(vaultId, randomUUID(), { roleDefinitionId: randomUUID(), principalId: consumer })
      .then(
        () => undefined,
        (error: { statusCode?: number; code?: string }) => error,
      );
    expect(unknownRole).toMatchObject({ statusCode: 400, code: "RoleDefinitionDoesNotExist" });

    await authorization.roleAssignments.delete(vaultId, name);
    const again = await keysAs(consumer)
      .getKey("rbac-key")
      .then(
        () => 200,
        (error: { statusCode?: number }) => error.statusCode,
      );
    expect(again).toBe(403);
  });

  it("a storage account whose identity lacks the role cannot use the RBAC vault's key until it gets it", async () => {
    const key = await bed.keys.createRsaKey("storage-rbac", { keySize: 2048 });
    const account = await bed.arm.seedStorageAccount({ name: "strbac" });
    const patch = () =>
      bed.storage.storageAccounts.update(account.resourceGroup, account.name, {
        encryption: {
          keySource: "Microsoft.Keyvault",
          keyVaultProperties: {
            keyVaultUri: bed.vaultUrl,
            keyName: "storage-rbac",
            keyVersion: key.properties.version,
          },
          encryptionIdentity: { encryptionUserAssignedIdentity: account.userAssignedIdentityId },
        },
      });
    const refused = await patch().then(
      () => undefined,
      (error: { statusCode?: number; code?: string }) => error,
    );
    expect(refused).toMatchObject({ statusCode: 400, code: "KeyVaultAuthenticationFailure" });
    await authorization.roleAssignments.create(`${vaultId}/keys/storage-rbac`, randomUUID(), {
      roleDefinitionId: KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER,
      principalId: account.principalId,
    });
    const updated = await patch();
    expect(updated.encryption?.keyVaultProperties?.currentVersionedKeyIdentifier).toContain(
      key.properties.version,
    );
  });

  it("only understands the filters Azure documents, and 404s an unknown assignment", async () => {
    const bad = await rawCall(
      `${bed.arm.url}${vaultId}/providers/Microsoft.Authorization/roleAssignments?api-version=${ROLE_API}&$filter=${encodeURIComponent("roleName eq 'x'")}`,
      { principalId: OPERATOR },
    );
    expect(bad.status).toBe(400);
    const missing = await rawCall(
      `${bed.arm.url}${vaultId}/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}?api-version=${ROLE_API}`,
      { principalId: OPERATOR },
    );
    expect(missing.status).toBe(404);
  });
});
