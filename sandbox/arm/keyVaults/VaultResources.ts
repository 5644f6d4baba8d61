// The Microsoft.KeyVault/vaults resources behind the Key Vault emulator's vaults: their ARM ids and properties.
import { ArmError } from "../http/armHttp";
import { resourceId } from "../http/resourceIds";

export const KEY_VAULT_TYPE = "Microsoft.KeyVault/vaults";

/** The vault properties a key change checks (the names of `properties` in Azure's wire shape). */
export interface VaultProperties {
  enableSoftDelete: boolean;
  softDeleteRetentionInDays: number;
  enablePurgeProtection: boolean;
  enableRbacAuthorization: boolean;
}

export interface VaultResource {
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  /** The Key Vault emulator URL (the vault's `vaultUri`). */
  url: string;
  properties: VaultProperties;
}

/** Azure's defaults for a new vault since 2025 (soft delete always on) plus purge protection, as CMK requires. */
export const DEFAULT_VAULT_PROPERTIES: VaultProperties = {
  enableSoftDelete: true,
  softDeleteRetentionInDays: 90,
  enablePurgeProtection: true,
  enableRbacAuthorization: false,
};

/** One resource per emulated vault, all in the primary subscription and default resource group. */
export class VaultResources {
  private readonly vaults = new Map<string, VaultResource>();

  constructor(setup: {
    keyVaults: Record<string, string>;
    subscriptionId: string;
    resourceGroup: string;
    /** Per vault name: properties other than the defaults. */
    properties?: Record<string, Partial<VaultProperties>>;
  }) {
    for (const [name, url] of Object.entries(setup.keyVaults)) {
      this.vaults.set(name.toLowerCase(), {
        name,
        subscriptionId: setup.subscriptionId,
        resourceGroup: setup.resourceGroup,
        location: "westeurope",
        url,
        properties: { ...DEFAULT_VAULT_PROPERTIES, ...setup.properties?.[name] },
      });
    }
  }

  static armId(vault: VaultResource): string {
    return resourceId(vault.subscriptionId, vault.resourceGroup, KEY_VAULT_TYPE, vault.name);
  }

  all(): VaultResource[] {
    return [...this.vaults.values()];
  }

  find(name: string): VaultResource | undefined {
    return this.vaults.get(name.toLowerCase());
  }

  /** The vault an ARM GET names; 404 ResourceNotFound as ARM answers for anything else. */
  get(subscriptionId: string, resourceGroup: string, name: string): VaultResource {
    const vault = this.find(name);
    if (
      !vault ||
      vault.subscriptionId.toLowerCase() !== subscriptionId.toLowerCase() ||
      vault.resourceGroup.toLowerCase() !== resourceGroup.toLowerCase()
    ) {
      throw new ArmError(
        404,
        "ResourceNotFound",
        `The Resource '${KEY_VAULT_TYPE}/${name}' under resource group '${resourceGroup}' was not found.`,
      );
    }
    return vault;
  }

  /** Changes properties of a vault (control API and tests): e.g. a vault without purge protection. */
  update(name: string, properties: Partial<VaultProperties>): VaultResource {
    const vault = this.find(name);
    if (!vault) throw new ArmError(404, "VaultNotFound", `No emulated vault named '${name}'.`);
    vault.properties = { ...vault.properties, ...properties };
    return vault;
  }

  isRbacAuthorization(name: string): boolean {
    return this.find(name)?.properties.enableRbacAuthorization === true;
  }
}
