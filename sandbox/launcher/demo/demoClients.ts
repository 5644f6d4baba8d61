// Clients the demo drives the sandbox with: the CLI's own API client for the app, and the official KeyClient for vaults.
import { KeyClient } from "@azure/keyvault-keys";
import { ApiClient } from "../../../cli/apiClient";
import type { LocalHost } from "../../host";
import { sandboxCredential } from "../../identity";
import { testTls } from "../../tls";
import type { SandboxState } from "../sandboxState";

/** The principal the demo operator acts as in Key Vault (every identity may use every key in the sandbox). */
export const OPERATOR_PRINCIPAL = "sandbox-operator";

export function appClient(state: SandboxState): ApiClient {
  return new ApiClient({
    baseUrl: state.functionsBaseUrl,
    functionKey: state.functionKey,
    revocationSecret: state.revocationSecret,
    keyVaults: state.keyVaults,
    source: "the running sandbox",
  });
}

export function vaultClient(vaultUrl: string): KeyClient {
  return new KeyClient(vaultUrl, sandboxCredential(OPERATOR_PRINCIPAL), {
    disableChallengeResourceVerification: true,
    tlsOptions: { ca: testTls().caPem },
  });
}

/**
 * Whether the app registered an HTTP function for `method /api/<path>` (path like "revocations/x/restore"),
 * read from what the host loaded, so "not built yet" is not confused with "that id does not exist".
 */
export function appServes(host: LocalHost, method: string, path: string): boolean {
  return host.functions.some((fn) => {
    if (fn.kind !== "http" || fn.route === undefined) return false;
    if (fn.methods && !fn.methods.includes(method)) return false;
    const pattern = fn.route
      .split("/")
      .map((segment) =>
        /^\{[^}]+\}$/.test(segment) ? "[^/]+" : segment.replace(/[.*+?^$()|[\]\\]/g, "\\$&"),
      )
      .join("/");
    return new RegExp(`^${pattern}$`, "i").test(path);
  });
}
