// Test support: a Key Vault emulator and an ARM emulator sharing one virtual clock, plus the official clients.
import { Agent, request } from "node:https";
import { KeyClient } from "@azure/keyvault-keys";
import { StorageManagementClient } from "@azure/arm-storage";
import { ResourceManagementClient } from "@azure/arm-resources";
import { VirtualClock } from "../../../sandbox/clock";
import { mintSandboxToken, sandboxCredential } from "../../../sandbox/identity";
import { startKeyVaultEmulator, type KeyVaultEmulator } from "../../../sandbox/keyvault";
import { startArmEmulator, type ArmEmulator, type ArmThrottlingLimits } from "../../../sandbox/arm";
import { wireKeyVaultRbac } from "../../../sandbox/launcher/keyVaultRbac";
import { testTls } from "../../../sandbox/tls";

export const VAULT = "kv-arm-test";
export const OPERATOR = "operator-principal";

export interface ArmTestBed {
  clock: VirtualClock;
  keyVault: KeyVaultEmulator;
  arm: ArmEmulator;
  vaultUrl: string;
  vaultArmId: string;
  keys: KeyClient;
  storage: StorageManagementClient;
  resources: ResourceManagementClient;
  stop(): Promise<void>;
}

export async function startArmTestBed(
  options: {
    armThrottling?: boolean | Partial<ArmThrottlingLimits>;
    retries?: number;
    /** The test vault enforces RBAC; OPERATOR and the app get Key Vault Crypto Officer on it. */
    isRbacVault?: boolean;
    linkDurationMs?: number;
  } = {},
): Promise<ArmTestBed> {
  const clock = new VirtualClock();
  const keyVault = await startKeyVaultEmulator({ vaults: [{ name: VAULT }], clock, throttling: false });
  const vaultUrl = keyVault.vaultUrl(VAULT);
  const arm = await startArmEmulator({
    clock,
    keyVaults: { [VAULT]: vaultUrl },
    throttling: options.armThrottling ?? false,
    rbacVaults: options.isRbacVault ? [VAULT] : [],
    linkDurationMs: options.linkDurationMs,
  });
  wireKeyVaultRbac(keyVault, arm, [OPERATOR]);
  const ca = testTls().caPem;
  const credential = sandboxCredential(OPERATOR);
  const retryOptions = { maxRetries: options.retries ?? 0 };
  return {
    clock,
    keyVault,
    arm,
    vaultUrl,
    vaultArmId: keyVault.vaults[VAULT].armId,
    keys: new KeyClient(vaultUrl, credential, {
      disableChallengeResourceVerification: true,
      tlsOptions: { ca },
      retryOptions,
    }),
    storage: new StorageManagementClient(credential, arm.subscriptionId, {
      endpoint: arm.url,
      credentials: { scopes: [`${arm.url}/.default`] },
      tlsOptions: { ca },
      retryOptions,
    }),
    resources: new ResourceManagementClient(credential, arm.subscriptionId, {
      endpoint: arm.url,
      credentials: { scopes: [`${arm.url}/.default`] },
      tlsOptions: { ca },
      retryOptions,
    }),
    stop: async () => {
      await arm.stop();
      await keyVault.stop();
      clock.clearAll();
    },
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: unknown;
}

/** One kept-alive connection: sequential raw calls cost milliseconds, not a TLS handshake each. */
const rawAgent = new Agent({ ca: testTls().caPem, keepAlive: true, maxSockets: 1 });

/** A raw https call (for wire shapes and errors the SDK would hide); `principalId` adds a bearer token. */
export function rawCall(
  url: string,
  init: { method?: string; body?: unknown; principalId?: string; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  const payload = init.body === undefined ? undefined : JSON.stringify(init.body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: init.method ?? "GET",
        agent: rawAgent,
        headers: {
          ...(init.principalId
            ? { authorization: `Bearer ${mintSandboxToken({ oid: init.principalId })}` }
            : {}),
          ...(payload ? { "content-type": "application/json" } : {}),
          ...init.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            json: text ? JSON.parse(text) : undefined,
          });
        });
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

/** Paths (a.b.c) present in `example` but missing in `actual`: our body must carry every field the spec shows. */
export function missingPaths(example: unknown, actual: unknown, prefix = ""): string[] {
  if (typeof example !== "object" || example === null || Array.isArray(example)) return [];
  const missing: string[] = [];
  for (const [key, value] of Object.entries(example)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const other = (actual as Record<string, unknown> | undefined)?.[key];
    if (other === undefined) missing.push(path);
    else missing.push(...missingPaths(value, other, path));
  }
  return missing;
}
