// The Key Vault RBAC data action a keys request needs, for the 403 message a denied principal sees.
export function dataActionFor(method: string, segments: string[]): string {
  const prefix = "Microsoft.KeyVault/vaults/keys";
  const [collection, , second, third] = segments;
  if (collection === "deletedkeys") {
    if (second === "recover") return `Microsoft.KeyVault/vaults/deletedKeys/recover/action`;
    return method === "DELETE"
      ? `Microsoft.KeyVault/vaults/deletedKeys/delete`
      : `Microsoft.KeyVault/vaults/deletedKeys/read`;
  }
  const crypto: Record<string, string> = {
    wrapkey: "wrap",
    unwrapkey: "unwrap",
    encrypt: "encrypt",
    decrypt: "decrypt",
  };
  if (third && crypto[third.toLowerCase()]) return `${prefix}/${crypto[third.toLowerCase()]}/action`;
  if (second === "create") return `${prefix}/create/action`;
  if (second === "rotate") return `${prefix}/rotate/action`;
  if (second === "rotationpolicy") return `${prefix}/rotationpolicy/${method === "GET" ? "read" : "write"}`;
  if (method === "PATCH") return `${prefix}/update/action`;
  if (method === "DELETE") return `${prefix}/delete`;
  return `${prefix}/read`;
}
