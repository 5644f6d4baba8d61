// The Key Vault keys REST API (/keys, /deletedkeys) over one vault's KeyStore: routing, validation, wire shapes.
import type { VirtualClock } from "../clock";
import { runCryptoOperation, assertUsable, type CryptoOperation } from "./cryptoOperations";
import { KeyVaultError, badParameter, keyDisabled } from "./errors";
import { EC_CURVES, RSA_KEY_SIZES, type EcCurve, type RsaKeySize } from "./keyMaterial";
import type { KeyStore, KeyType, KeyVersionPatch, KeyVersionRecord, NewKeyVersion } from "./KeyStore";
import { parseRotationPolicy, policyExpiry } from "./rotationPolicy";
import { deletedKeyBundle, deletedKeyItem, keyBundle, keyItem, rotationPolicy } from "./wire";

export interface KeysRequest {
  method: string;
  /** Path segments after the vault root, trailing empty segment removed: ["keys", "cmk-1", "rotate"]. */
  segments: string[];
  query: URLSearchParams;
  body: unknown;
  apiVersion: string;
}

export interface KeysResponse {
  status: number;
  body?: unknown;
}

/** Throttling class of a request: Key Vault counts creates (rotate included) apart from everything else. */
export type OperationKind = "createSoftware" | "createHsm" | "other";

const KEY_NAME_PATTERN = /^[0-9a-zA-Z-]{1,127}$/;
const KEY_TYPES: readonly KeyType[] = ["RSA", "RSA-HSM", "EC", "EC-HSM"];
const ALL_KEY_OPS = ["encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey", "import", "export"];
const CRYPTO_ROUTES: Record<string, CryptoOperation> = {
  wrapkey: "wrapKey",
  unwrapkey: "unwrapKey",
  encrypt: "encrypt",
  decrypt: "decrypt",
};
const MAX_PAGE_SIZE = 25;

function fields(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== "object" || Array.isArray(body))
    throw badParameter("The request body must be a JSON object.");
  return body as Record<string, unknown>;
}

function optionalSeconds(value: unknown, field: string): number | undefined | null {
  if (value === undefined) return undefined;
  if (value === null) return null;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw badParameter(`attributes.${field} must be a Unix time in seconds.`);
  }
  return value;
}

function optionalTags(value: unknown): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value))
    throw badParameter("tags must be an object of strings.");
  for (const tag of Object.values(value)) {
    if (typeof tag !== "string") throw badParameter("tags must be an object of strings.");
  }
  return value as Record<string, string>;
}

function optionalKeyOps(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((op) => typeof op !== "string" || !ALL_KEY_OPS.includes(op))) {
    throw badParameter(`key_ops must be an array of ${ALL_KEY_OPS.join(", ")}.`);
  }
  return value as string[];
}

function checkKeyName(name: string | undefined): string {
  if (!name || !KEY_NAME_PATTERN.test(name)) {
    throw badParameter(`The key name '${name ?? ""}' is invalid: use 1-127 letters, digits and dashes.`);
  }
  return name;
}

function parseCreate(body: unknown): NewKeyVersion {
  const input = fields(body);
  const kty = input.kty as KeyType;
  if (!KEY_TYPES.includes(kty))
    throw badParameter(`Invalid kty '${String(input.kty)}': use ${KEY_TYPES.join(", ")}.`);
  const keySize = (input.key_size ?? 2048) as RsaKeySize;
  if (kty.startsWith("RSA") && !RSA_KEY_SIZES.includes(keySize)) {
    throw badParameter(`Invalid key_size ${String(input.key_size)}: use 2048, 3072 or 4096.`);
  }
  const curve = (input.crv ?? "P-256") as EcCurve;
  if (kty.startsWith("EC") && !EC_CURVES.includes(curve))
    throw badParameter(`Invalid crv '${String(input.crv)}'.`);
  const attributes = fields(input.attributes);
  if (attributes.enabled !== undefined && typeof attributes.enabled !== "boolean") {
    throw badParameter("attributes.enabled must be a boolean.");
  }
  return {
    kty,
    keySize: kty.startsWith("RSA") ? keySize : undefined,
    curve: kty.startsWith("EC") ? curve : undefined,
    keyOps: optionalKeyOps(input.key_ops),
    enabled: attributes.enabled,
    nbf: optionalSeconds(attributes.nbf, "nbf") ?? undefined,
    exp: optionalSeconds(attributes.exp, "exp") ?? undefined,
    tags: optionalTags(input.tags),
  };
}

function parsePatch(body: unknown): KeyVersionPatch {
  const input = fields(body);
  const attributes = fields(input.attributes);
  if (attributes.enabled !== undefined && typeof attributes.enabled !== "boolean") {
    throw badParameter("attributes.enabled must be a boolean.");
  }
  return {
    enabled: attributes.enabled,
    nbf: optionalSeconds(attributes.nbf, "nbf"),
    exp: optionalSeconds(attributes.exp, "exp"),
    keyOps: optionalKeyOps(input.key_ops),
    tags: optionalTags(input.tags),
  };
}

function methodNotAllowed(method: string, segments: string[]): KeyVaultError {
  return new KeyVaultError(405, "MethodNotAllowed", `${method} is not supported on /${segments.join("/")}.`);
}

/**
 * Classifies a request for throttling before it runs. A rotate counts as a create of the key's own
 * protection level; `currentKeyType` looks up the key's current version (undefined when there is none).
 */
export function operationKind(
  request: KeysRequest,
  currentKeyType: (name: string) => KeyType | undefined,
): OperationKind {
  const [collection, name, action] = request.segments;
  if (collection !== "keys" || request.method !== "POST" || name === undefined) return "other";
  let kty: unknown;
  if (action === "rotate") kty = currentKeyType(name);
  else if (action === "create") {
    kty =
      typeof request.body === "object" && request.body !== null
        ? (request.body as Record<string, unknown>).kty
        : undefined;
  } else return "other";
  return typeof kty === "string" && kty.endsWith("-HSM") ? "createHsm" : "createSoftware";
}

/** Key Vault refuses to GET a disabled version (listing and PATCH still work on it). */
function readable(record: KeyVersionRecord): KeyVersionRecord {
  if (!record.enabled) throw keyDisabled("get");
  return record;
}

export class KeysApi {
  constructor(
    private readonly store: KeyStore,
    private readonly vaultUrl: string,
    private readonly clock: VirtualClock,
  ) {}

  async handle(request: KeysRequest): Promise<KeysResponse> {
    const { method, segments } = request;
    if (segments[0] === "deletedkeys") return this.handleDeleted(request);
    if (segments[0] !== "keys")
      throw new KeyVaultError(404, "NotFound", `No route for /${segments.join("/")}.`);
    if (segments.length === 1) {
      if (method !== "GET") throw methodNotAllowed(method, segments);
      return this.page(
        request,
        this.store
          .liveKeys()
          .map((key) => keyItem(this.vaultUrl, key.versions[key.versions.length - 1], false)),
      );
    }
    const name = checkKeyName(segments[1]);
    const second = segments[2];
    if (segments.length === 2) {
      if (method === "GET") return this.ok(keyBundle(this.vaultUrl, readable(this.store.getVersion(name))));
      if (method === "PATCH")
        return this.ok(
          keyBundle(this.vaultUrl, this.store.updateVersion(name, undefined, parsePatch(request.body))),
        );
      if (method === "DELETE") return this.ok(deletedKeyBundle(this.vaultUrl, this.store.deleteKey(name)));
      throw methodNotAllowed(method, segments);
    }
    if (segments.length === 3 && second === "create" && method === "POST") {
      return this.ok(
        keyBundle(this.vaultUrl, await this.store.createVersion(name, parseCreate(request.body))),
      );
    }
    if (segments.length === 3 && second === "rotate" && method === "POST") {
      const policy = this.store.getLiveKey(name).rotationPolicy;
      const rotated = await this.store.rotate(name, (createdMs) => policyExpiry(policy, createdMs));
      return this.ok(keyBundle(this.vaultUrl, rotated));
    }
    if (segments.length === 3 && second === "rotationpolicy") {
      const key = this.store.getLiveKey(name);
      if (method === "GET") return this.ok(rotationPolicy(this.vaultUrl, name, key.rotationPolicy));
      if (method === "PUT") {
        const policy = this.store.setRotationPolicy(
          name,
          parseRotationPolicy(request.body, this.clock.now()),
        );
        return this.ok(rotationPolicy(this.vaultUrl, name, policy));
      }
      throw methodNotAllowed(method, segments);
    }
    if (segments.length === 3 && second === "versions") {
      if (method !== "GET") throw methodNotAllowed(method, segments);
      return this.page(
        request,
        this.store.getLiveKey(name).versions.map((version) => keyItem(this.vaultUrl, version, true)),
      );
    }
    if (segments.length === 3) {
      if (method === "GET")
        return this.ok(keyBundle(this.vaultUrl, readable(this.store.getVersion(name, second))));
      if (method === "PATCH")
        return this.ok(
          keyBundle(this.vaultUrl, this.store.updateVersion(name, second, parsePatch(request.body))),
        );
      throw methodNotAllowed(method, segments);
    }
    const operation = segments.length === 4 ? CRYPTO_ROUTES[segments[3].toLowerCase()] : undefined;
    if (operation && method === "POST") {
      const record = this.store.getVersion(name, second);
      assertUsable(record, operation, this.clock.nowSeconds());
      const result = runCryptoOperation(record, operation, request.body);
      return this.ok({
        kid: `${this.vaultUrl}/keys/${name}/${record.version}`,
        value: result.toString("base64url"),
      });
    }
    throw new KeyVaultError(404, "NotFound", `No route for ${method} /${segments.join("/")}.`);
  }

  private handleDeleted(request: KeysRequest): KeysResponse {
    const { method, segments } = request;
    if (segments.length === 1 && method === "GET") {
      return this.page(
        request,
        this.store.deletedKeys().map((key) => deletedKeyItem(this.vaultUrl, key)),
      );
    }
    const name = checkKeyName(segments[1]);
    if (segments.length === 2 && method === "GET")
      return this.ok(deletedKeyBundle(this.vaultUrl, this.store.getDeleted(name)));
    if (segments.length === 2 && method === "DELETE") {
      this.store.purge(name);
      return { status: 204 };
    }
    if (segments.length === 3 && segments[2] === "recover" && method === "POST") {
      const key = this.store.recover(name);
      return this.ok(keyBundle(this.vaultUrl, key.versions[key.versions.length - 1]));
    }
    throw new KeyVaultError(404, "NotFound", `No route for ${method} /${segments.join("/")}.`);
  }

  private ok(body: unknown): KeysResponse {
    return { status: 200, body };
  }

  /** `{value, nextLink}` paging with maxresults (at most 25) and an opaque $skiptoken, like Key Vault. */
  private page(request: KeysRequest, items: unknown[]): KeysResponse {
    const maxText = request.query.get("maxresults");
    const pageSize = maxText === null ? MAX_PAGE_SIZE : Number(maxText);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      throw badParameter(`maxresults must be an integer from 1 to ${MAX_PAGE_SIZE}.`);
    }
    const token = request.query.get("$skiptoken");
    const start = token === null ? 0 : Number(Buffer.from(token, "base64url").toString("utf8"));
    if (!Number.isInteger(start) || start < 0) throw badParameter("Invalid $skiptoken.");
    const value = items.slice(start, start + pageSize);
    const next = start + pageSize;
    const nextLink =
      next < items.length
        ? `${this.vaultUrl}/${request.segments.join("/")}?api-version=${request.apiVersion}&$skiptoken=${Buffer.from(String(next)).toString("base64url")}&maxresults=${pageSize}`
        : null;
    return this.ok({ value, nextLink });
  }
}
