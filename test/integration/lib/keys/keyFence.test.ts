// The gateway with its Table Storage helpers (Azurite): the revocation fence and exactly-once version creation.
import { TableClient } from "@azure/data-tables";
import { KeyClient } from "@azure/keyvault-keys";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAzurite, type RunningAzurite } from "../../../../sandbox/azurite";
import { sandboxCredential } from "../../../../sandbox/identity";
import { startKeyVaultEmulator, type KeyVaultEmulator } from "../../../../sandbox/keyvault";
import { createAzureClients } from "../../../../src/lib/azure";
import {
  createKeyVaultGateway,
  createTableKeyFenceStore,
  type KeyFenceStore,
  type KeyVaultGateway,
} from "../../../../src/lib/keys";
import { loadSettings } from "../../../../src/lib/settings";
import { codeOf } from "../../../support/codeOf";

const key = { vaultName: "kv1", keyName: "cmk" };

describe("Key Vault gateway with fences", () => {
  let azurite: RunningAzurite;
  let emulator: KeyVaultEmulator;
  let fences: KeyFenceStore;
  let gateway: KeyVaultGateway;
  let v1: string;

  beforeAll(async () => {
    azurite = await startAzurite({ services: ["table"] });
    emulator = await startKeyVaultEmulator({
      vaults: [{ name: "kv1" }],
      throttling: false,
      keyPool: { 2048: 3 },
    });
    fences = createTableKeyFenceStore(
      TableClient.fromConnectionString(azurite.connectionString, "fencetest", {
        allowInsecureConnection: true,
      }),
    );
    const settings = loadSettings({
      AzureWebJobsStorage: azurite.connectionString,
      CMK_ALLOWED_VAULTS: `kv1=${emulator.vaultUrl("kv1")}`,
      CMK_REVOCATION_SECRET: "s".repeat(32),
      CMK_SWEEP_SCHEDULE: "0 0 * * * *",
    });
    gateway = createKeyVaultGateway(createAzureClients(settings, { credential: sandboxCredential("app") }), {
      fences,
    });
    const admin = new KeyClient(emulator.vaultUrl("kv1"), sandboxCredential("admin"), {
      disableChallengeResourceVerification: true,
    });
    v1 = (await admin.createRsaKey("cmk", { keySize: 2048 })).properties.version!;
  });
  afterAll(async () => {
    await emulator.stop();
    await azurite.stop();
  });

  it("refuses creation and re-enabling while raised, lets the owning revocation restore, and lifts when lowered", async () => {
    await fences.raise({ vaultName: "KV1", keyName: "CMK" }, "rev-1", 1_000);
    expect(await fences.get(key)).toEqual({ revocationId: "rev-1", raisedAtMs: 1_000 });
    expect(await codeOf(gateway.createVersionOnce(key, "rot-1"))).toBe("KeyRevoked");
    expect((await gateway.setVersionEnabled(key, v1, false)).enabled).toBe(false);
    expect(await codeOf(gateway.setVersionEnabled(key, v1, true))).toBe("KeyRevoked");
    expect(await codeOf(gateway.setVersionEnabled(key, v1, true, { revocationId: "rev-2" }))).toBe(
      "KeyRevoked",
    );
    expect((await gateway.setVersionEnabled(key, v1, true, { revocationId: "rev-1" })).enabled).toBe(true);
    expect(await gateway.listVersions(key)).toHaveLength(1);

    expect(await fences.lower(key, "rev-2")).toBe(false);
    expect(await fences.lower(key, "rev-1")).toBe(true);
    expect(await fences.get(key)).toBeUndefined();
    expect((await gateway.createVersionOnce(key, "rot-1")).wasCreated).toBe(true);
  });

  it("creates exactly one version per rotation id, also when an attempt is run again", async () => {
    const template = await gateway.getKey(key);
    const before = (await gateway.listVersions(key)).length;
    const first = await gateway.createVersionOnce(key, "rot-m1", { template });
    const again = await gateway.createVersionOnce(key, "rot-m1", { template });
    expect([first.wasCreated, again.wasCreated]).toEqual([true, false]);
    expect(again.version.version).toBe(first.version.version);
    expect((await gateway.createVersionOnce(key, "rot-m2")).wasCreated).toBe(true);
    expect(await gateway.listVersions(key)).toHaveLength(before + 2);
  });
});
