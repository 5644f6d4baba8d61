// Turns what the operator typed for a key (a full key id or `<vault>/<key>`) into a versionless key id.
import { usageError } from "./CliError";

/**
 * Accepts `<vaultUrl>/keys/<name>` (returned unchanged, minus a trailing slash) or the shorthand
 * `<vault>/<key>`, resolved through the sandbox's vault map, else to `https://<vault>.vault.azure.net`.
 */
export function resolveKeyId(keyRef: string, keyVaults: Record<string, string>): string {
  const text = keyRef.trim();
  if (/^https?:\/\//i.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw usageError(`"${keyRef}" is not a key id`);
    }
    if (!/^\/keys\/[A-Za-z0-9-]+\/?$/.test(url.pathname)) {
      throw usageError(`"${keyRef}" is not a versionless key id <vaultUrl>/keys/<name>`);
    }
    return text.replace(/\/+$/, "");
  }
  const match = /^([A-Za-z0-9-]+)\/([A-Za-z0-9-]+)$/.exec(text);
  if (!match) throw usageError(`"${keyRef}" is neither <vaultUrl>/keys/<name> nor <vault>/<key>`);
  const [, vaultName, keyName] = match;
  const vaultUrl = keyVaults[vaultName] ?? `https://${vaultName}.vault.azure.net`;
  return `${vaultUrl.replace(/\/+$/, "")}/keys/${keyName}`;
}
