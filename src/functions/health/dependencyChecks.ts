// Checks each dependency the app needs (Table Storage, every allow-listed vault) with a short timeout.
import { ensureError } from "../../lib/errors";
import type { Services } from "../../lib/services";

export interface DependencyState {
  name: string;
  status: "ok" | "down";
  detail?: string;
}

const CHECK_TIMEOUT_MS = 5_000;

async function check(name: string, probe: () => Promise<unknown>): Promise<DependencyState> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([probe(), timeout]);
    return { name, status: "ok" };
  } catch (error) {
    return { name, status: "down", detail: ensureError(error).message.split("\n")[0] };
  } finally {
    clearTimeout(timer);
  }
}

/** A setting the app started with but cannot use (the rest of the app keeps working without it). */
function revocationSecretState(services: Pick<Services, "settings">): DependencyState {
  const secret = services.settings.revocationSecret;
  return secret.usable
    ? { name: "setting:CMK_REVOCATION_SECRET", status: "ok" }
    : { name: "setting:CMK_REVOCATION_SECRET", status: "down", detail: secret.problem };
}

/**
 * The revocation webhook's secret; Table Storage: list the bindings; Key Vault: read the first page
 * of key names (keys/list), which proves network, TLS, the identity and its role in one call.
 */
export async function checkDependencies(
  services: Pick<Services, "bindings" | "clients" | "allowList" | "settings">,
): Promise<DependencyState[]> {
  const probes = [
    Promise.resolve(revocationSecretState(services)),
    check("tableStorage", () => services.bindings.list()),
    ...services.allowList
      .names()
      .map((vaultName) =>
        check(`keyVault:${vaultName}`, () =>
          services.clients.keyClient(vaultName).listPropertiesOfKeys().byPage({ maxPageSize: 1 }).next(),
        ),
      ),
  ];
  return Promise.all(probes);
}
