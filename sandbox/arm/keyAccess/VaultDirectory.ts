// Maps the vault references consumers are given (vault URI, vault ARM id) to Key Vault emulator URLs.

/** Knows the Key Vault emulator's vaults by name and by URL. */
export class VaultDirectory {
  private readonly urlsByName = new Map<string, string>();

  constructor(keyVaults: Record<string, string>) {
    for (const [name, url] of Object.entries(keyVaults)) this.add(name, url);
  }

  add(name: string, url: string): void {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error(`keyVaults.${name} must be the vault's https URL, got '${url}'.`);
    }
    this.urlsByName.set(name.toLowerCase(), parsed.origin);
  }

  /**
   * The emulator URL for a storage-style `keyvaulturi`: either an emulator vault URL itself, or a real-looking
   * `https://{name}.vault.azure.net` whose first host label names an emulator vault.
   */
  urlForVaultUri(vaultUri: string): string | undefined {
    let parsed: URL;
    try {
      parsed = new URL(vaultUri);
    } catch {
      return undefined;
    }
    for (const url of this.urlsByName.values()) {
      if (new URL(url).origin === parsed.origin) return url;
    }
    return this.urlsByName.get(parsed.hostname.split(".")[0].toLowerCase());
  }

  /** The emulator URL for a vault ARM id `/subscriptions/…/providers/Microsoft.KeyVault/vaults/{name}`. */
  urlForVaultArmId(vaultArmId: string): string | undefined {
    const match = /\/providers\/Microsoft\.KeyVault\/vaults\/([^/]+)\/?$/i.exec(vaultArmId);
    return match ? this.urlsByName.get(match[1].toLowerCase()) : undefined;
  }
}
