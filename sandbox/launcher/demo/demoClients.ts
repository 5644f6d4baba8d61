// Clients the demo drives the sandbox with: the CLI's own API client for the app, the official KeyClient for vaults
// and AuthorizationManagementClient for role assignments (what an admin's `az role assignment create` calls).
import { AuthorizationManagementClient } from "@azure/arm-authorization";
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

/** Role assignments in one subscription, as the operator (an admin of the sandbox's estate). */
export function authorizationClient(
  state: SandboxState,
  subscriptionId: string,
): AuthorizationManagementClient {
  return new AuthorizationManagementClient(sandboxCredential(OPERATOR_PRINCIPAL), subscriptionId, {
    endpoint: state.armEndpoint,
    credentialScopes: [`${state.armEndpoint}/.default`],
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
