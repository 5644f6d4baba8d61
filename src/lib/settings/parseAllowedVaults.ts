// Parses CMK_ALLOWED_VAULTS: `name=url,name=url` or bare names (→ https://<name>.vault.azure.net).
import { SettingsError } from "./SettingsError";
import type { AllowedVault } from "./types";

/** Key Vault names: 3-24 characters, letters, digits and hyphens, starting with a letter. */
export const VAULT_NAME_PATTERN = /^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/;

/** Normalises a vault URL to its origin (scheme://host[:port]); only https with no path is accepted. */
export function vaultOrigin(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return undefined;
  }
  if (parsed.protocol !== "https:") return undefined;
  if ((parsed.pathname !== "/" && parsed.pathname !== "") || parsed.search || parsed.hash) return undefined;
  if (parsed.username || parsed.password) return undefined;
  return parsed.origin;
}

export function parseAllowedVaults(raw: string): AllowedVault[] {
  const setting = "CMK_ALLOWED_VAULTS";
  const entries = raw
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  if (entries.length === 0) {
    throw new SettingsError(setting, "lists no vault: give `name=https://url,...` or bare vault names.");
  }
  const seen = new Set<string>();
  return entries.map((entry) => {
    const separator = entry.indexOf("=");
    const name = (separator < 0 ? entry : entry.slice(0, separator)).trim();
    if (!VAULT_NAME_PATTERN.test(name)) {
      throw new SettingsError(
        setting,
        `has "${name}", which is not a Key Vault name (3-24 letters, digits, hyphens).`,
      );
    }
    if (seen.has(name.toLowerCase())) throw new SettingsError(setting, `lists vault "${name}" twice.`);
    seen.add(name.toLowerCase());
    const url =
      separator < 0
        ? `https://${name.toLowerCase()}.vault.azure.net`
        : vaultOrigin(entry.slice(separator + 1));
    if (!url) {
      throw new SettingsError(
        setting,
        `gives vault "${name}" a URL that is not an https origin (https://host[:port]).`,
      );
    }
    return { name, url };
  });
}
