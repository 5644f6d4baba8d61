// Calls the Key Vault emulator's real REST API over https as a consumer's own identity (storage account, policy).
import { Agent, request } from "node:https";
import { mintSandboxToken } from "../../identity";

/** Outcome of one Key Vault call: the parsed body, or the status and Key Vault's error code. */
export type VaultResult<T> = { ok: true; value: T } | VaultFailure;

export interface VaultFailure {
  ok: false;
  status: number;
  code: string;
  message: string;
  retryAfterMs?: number;
}

/** Throttling, a server error or no answer: says nothing about whether the consumer may use the key. */
export function isTransientFailure(failure: VaultFailure): boolean {
  return failure.status === 429 || failure.status >= 500;
}

export interface KeyVersionInfo {
  /** Full key id `{vaultUrl}/keys/{name}/{version}`. */
  kid: string;
  version: string;
  enabled: boolean;
  /** Expiry in Unix seconds, when the version has one. */
  expiresOnSeconds?: number;
  createdSeconds?: number;
}

/** A GA data-plane api-version (what Azure Storage and Power Platform send is not documented). */
const KEY_VAULT_API_VERSION = "7.5";
const VAULT_AUDIENCE = "https://vault.azure.net";
const WRAP_ALGORITHM = "RSA-OAEP-256";
const REQUEST_TIMEOUT_MS = 10_000;
const MAX_RETRIES = 3;
const MAX_RETRY_WAIT_MS = 2_000;

interface KeyBundleWire {
  key?: { kid?: unknown };
  kid?: unknown;
  attributes?: { enabled?: unknown; exp?: unknown; created?: unknown };
}

/** A thin https client for the few Key Vault operations a consumer performs. */
export class KeyVaultDataPlane {
  private readonly agent: Agent;

  constructor(caPem: string) {
    // keepAlive: access checks run on every probe read, so reuse connections to the vault.
    this.agent = new Agent({ ca: caPem, keepAlive: true });
  }

  /** GET /keys/{name}/{version?}: the current version when `version` is empty. */
  async getKeyVersion(
    vaultUrl: string,
    keyName: string,
    version: string,
    principalId: string,
  ): Promise<VaultResult<KeyVersionInfo>> {
    const path = `/keys/${encodeURIComponent(keyName)}/${encodeURIComponent(version)}`;
    const result = await this.call<KeyBundleWire>(vaultUrl, "GET", path, principalId);
    if (!result.ok) return result;
    const info = toVersionInfo(result.value);
    if (!info)
      return { ok: false, status: 502, code: "BadKeyBundle", message: "Key Vault returned no key id." };
    return { ok: true, value: info };
  }

  /** GET /keys/{name}/versions (first page is enough for the emulator). */
  async listKeyVersions(
    vaultUrl: string,
    keyName: string,
    principalId: string,
  ): Promise<VaultResult<KeyVersionInfo[]>> {
    const path = `/keys/${encodeURIComponent(keyName)}/versions`;
    const result = await this.call<{ value?: KeyBundleWire[] }>(vaultUrl, "GET", path, principalId);
    if (!result.ok) return result;
    const versions = (result.value.value ?? []).map(toVersionInfo).filter((v): v is KeyVersionInfo => !!v);
    return { ok: true, value: versions };
  }

  /** POST /keys/{name}/{version}/wrapkey: returns the wrapped bytes. */
  async wrapKey(
    vaultUrl: string,
    keyName: string,
    version: string,
    principalId: string,
    plaintext: Buffer,
  ): Promise<VaultResult<Buffer>> {
    return this.keyOperation(vaultUrl, keyName, version, principalId, "wrapkey", plaintext);
  }

  /** POST /keys/{name}/{version}/unwrapkey: returns the unwrapped bytes. */
  async unwrapKey(
    vaultUrl: string,
    keyName: string,
    version: string,
    principalId: string,
    wrapped: Buffer,
  ): Promise<VaultResult<Buffer>> {
    return this.keyOperation(vaultUrl, keyName, version, principalId, "unwrapkey", wrapped);
  }

  close(): void {
    this.agent.destroy();
  }

  private async keyOperation(
    vaultUrl: string,
    keyName: string,
    version: string,
    principalId: string,
    operation: "wrapkey" | "unwrapkey",
    input: Buffer,
  ): Promise<VaultResult<Buffer>> {
    const path = `/keys/${encodeURIComponent(keyName)}/${encodeURIComponent(version)}/${operation}`;
    const result = await this.call<{ value?: unknown }>(vaultUrl, "POST", path, principalId, {
      alg: WRAP_ALGORITHM,
      value: input.toString("base64url"),
    });
    if (!result.ok) return result;
    if (typeof result.value.value !== "string") {
      return {
        ok: false,
        status: 502,
        code: "BadKeyOperationResult",
        message: `Key Vault ${operation} returned no value.`,
      };
    }
    return { ok: true, value: Buffer.from(result.value.value, "base64url") };
  }

  /**
   * One Key Vault call, retried like the real services' SDKs retry: a 429 after its Retry-After (capped), a 5xx or
   * an unreachable vault after a short pause. Denials (4xx) are answered at once.
   */
  private async call<T>(
    vaultUrl: string,
    method: string,
    path: string,
    principalId: string,
    body?: unknown,
  ): Promise<VaultResult<T>> {
    let result = await this.send<T>(vaultUrl, method, path, principalId, body);
    for (let attempt = 1; attempt <= MAX_RETRIES && !result.ok && isTransientFailure(result); attempt++) {
      const waitMs =
        result.status === 429 ? Math.min(result.retryAfterMs ?? 1000, MAX_RETRY_WAIT_MS) : 50 * attempt;
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      result = await this.send<T>(vaultUrl, method, path, principalId, body);
    }
    return result;
  }

  private send<T>(
    vaultUrl: string,
    method: string,
    path: string,
    principalId: string,
    body?: unknown,
  ): Promise<VaultResult<T>> {
    const url = new URL(`${vaultUrl.replace(/\/+$/, "")}${path}?api-version=${KEY_VAULT_API_VERSION}`);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const token = mintSandboxToken({ oid: principalId, aud: VAULT_AUDIENCE });
    return new Promise((resolve) => {
      const req = request(
        url,
        {
          method,
          agent: this.agent,
          timeout: REQUEST_TIMEOUT_MS,
          headers: {
            authorization: `Bearer ${token}`,
            accept: "application/json",
            ...(payload
              ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }
              : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => {
            const result = toResult<T>(res.statusCode ?? 0, Buffer.concat(chunks).toString("utf8"));
            const retryAfterSeconds = Number(res.headers["retry-after"]);
            if (!result.ok && Number.isFinite(retryAfterSeconds))
              result.retryAfterMs = retryAfterSeconds * 1000;
            resolve(result);
          });
          res.on("error", (error) => resolve(unreachable(error)));
        },
      );
      req.on("timeout", () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
      req.on("error", (error) => resolve(unreachable(error)));
      req.end(payload);
    });
  }
}

function toResult<T>(status: number, text: string): VaultResult<T> {
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {
    parsed = {};
  }
  if (status >= 200 && status < 300) return { ok: true, value: parsed as T };
  const error = (parsed as { error?: { code?: unknown; message?: unknown } }).error;
  return {
    ok: false,
    status,
    code: typeof error?.code === "string" ? error.code : `Http${status}`,
    message: typeof error?.message === "string" ? error.message : `Key Vault answered ${status}.`,
  };
}

function unreachable(error: Error): VaultResult<never> {
  return {
    ok: false,
    status: 503,
    code: "KeyVaultUnreachable",
    message: `Key Vault could not be reached: ${error.message}`,
  };
}

function toVersionInfo(bundle: KeyBundleWire): KeyVersionInfo | undefined {
  const kid =
    typeof bundle.key?.kid === "string" ? bundle.key.kid : typeof bundle.kid === "string" ? bundle.kid : "";
  if (!kid) return undefined;
  const attributes = bundle.attributes ?? {};
  return {
    kid,
    version: kid.split("/").pop() ?? "",
    enabled: attributes.enabled !== false,
    expiresOnSeconds: typeof attributes.exp === "number" ? attributes.exp : undefined,
    createdSeconds: typeof attributes.created === "number" ? attributes.created : undefined,
  };
}
