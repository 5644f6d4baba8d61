// One vault's keys: versions, rotation policies and soft-deleted keys, in memory, timestamps from the virtual clock.
import { randomUUID } from "node:crypto";
import type { VirtualClock } from "../clock";
import { KeyVaultError, keyNotFound } from "./errors";
import type { EcCurve, KeyMaterial, KeyMaterialPool, RsaKeySize } from "./keyMaterial";

export type KeyType = "RSA" | "RSA-HSM" | "EC" | "EC-HSM";

export interface KeyVersionRecord {
  name: string;
  version: string;
  kty: KeyType;
  keySize?: RsaKeySize;
  curve?: EcCurve;
  keyOps: string[];
  material: KeyMaterial;
  enabled: boolean;
  /** Unix seconds, like every Key Vault attribute. */
  nbf?: number;
  exp?: number;
  created: number;
  updated: number;
  tags?: Record<string, string>;
}

export interface LifetimeAction {
  trigger: { timeAfterCreate?: string; timeBeforeExpiry?: string };
  action: { type: "Rotate" | "Notify" };
}

export interface RotationPolicyRecord {
  lifetimeActions: LifetimeAction[];
  expiryTime?: string;
  created: number;
  updated: number;
}

export interface KeyRecord {
  name: string;
  /** Oldest first; the last one is the key's current version. */
  versions: KeyVersionRecord[];
  rotationPolicy?: RotationPolicyRecord;
  deleted?: { deletedDate: number; scheduledPurgeDate: number };
}

export interface NewKeyVersion {
  kty: KeyType;
  keySize?: RsaKeySize;
  curve?: EcCurve;
  keyOps?: string[];
  enabled?: boolean;
  nbf?: number;
  exp?: number;
  tags?: Record<string, string>;
}

export interface KeyVersionPatch {
  enabled?: boolean;
  nbf?: number | null;
  exp?: number | null;
  keyOps?: string[];
  tags?: Record<string, string>;
}

/** What the lifecycle scheduler and event publisher need to hear about. */
export interface KeyStoreObserver {
  versionCreated(key: KeyRecord, version: KeyVersionRecord): void;
  keyChanged(key: KeyRecord): void;
}

export const RSA_DEFAULT_KEY_OPS = ["encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey"];
export const EC_DEFAULT_KEY_OPS = ["sign", "verify"];
const SOFT_DELETE_RETENTION_DAYS = 90;

export class KeyStore {
  private readonly keys = new Map<string, KeyRecord>();
  private readonly observers: KeyStoreObserver[] = [];

  constructor(
    private readonly clock: VirtualClock,
    private readonly keyPool: KeyMaterialPool,
  ) {}

  observe(observer: KeyStoreObserver): void {
    this.observers.push(observer);
  }

  /** Creates a key, or a new version of an existing one (Key Vault's create is never idempotent). */
  async createVersion(name: string, spec: NewKeyVersion): Promise<KeyVersionRecord> {
    this.assertNotDeleted(name);
    const material = spec.kty.startsWith("EC")
      ? await this.keyPool.takeEc(spec.curve ?? "P-256")
      : await this.keyPool.takeRsa(spec.keySize ?? 2048);
    this.assertNotDeleted(name);
    const now = this.clock.nowSeconds();
    const record: KeyVersionRecord = {
      name,
      version: randomUUID().replace(/-/g, ""),
      kty: spec.kty,
      keySize: spec.kty.startsWith("EC") ? undefined : (spec.keySize ?? 2048),
      curve: spec.kty.startsWith("EC") ? (spec.curve ?? "P-256") : undefined,
      keyOps: spec.keyOps ?? (spec.kty.startsWith("EC") ? EC_DEFAULT_KEY_OPS : RSA_DEFAULT_KEY_OPS),
      material,
      enabled: spec.enabled ?? true,
      nbf: spec.nbf,
      exp: spec.exp,
      created: now,
      updated: now,
      tags: spec.tags,
    };
    let key = this.keys.get(name);
    if (!key) {
      key = { name, versions: [] };
      this.keys.set(name, key);
    }
    key.versions.push(record);
    for (const observer of this.observers) observer.versionCreated(key, record);
    return record;
  }

  /** A new version with the current version's type, size, operations and tags; exp from the policy's expiryTime. */
  async rotate(
    name: string,
    expiresAtSeconds: (createdMs: number) => number | undefined,
  ): Promise<KeyVersionRecord> {
    const current = this.getVersion(name);
    return this.createVersion(name, {
      kty: current.kty,
      keySize: current.keySize,
      curve: current.curve,
      keyOps: [...current.keyOps],
      tags: current.tags ? { ...current.tags } : undefined,
      exp: expiresAtSeconds(this.clock.now()),
    });
  }

  /** The latest version when `version` is empty; 404 KeyNotFound otherwise. */
  getVersion(name: string, version?: string): KeyVersionRecord {
    const key = this.getLiveKey(name);
    const found = version ? key.versions.find((v) => v.version === version) : key.versions.at(-1);
    if (!found) throw keyNotFound(name, version);
    return found;
  }

  /** The current version of a live key, or undefined (no 404) for callers that only peek. */
  currentVersion(name: string): KeyVersionRecord | undefined {
    const key = this.keys.get(name);
    return key && !key.deleted ? key.versions.at(-1) : undefined;
  }

  getLiveKey(name: string): KeyRecord {
    const key = this.keys.get(name);
    if (!key || key.deleted || key.versions.length === 0) throw keyNotFound(name);
    return key;
  }

  liveKeys(): KeyRecord[] {
    return [...this.keys.values()].filter((key) => !key.deleted && key.versions.length > 0);
  }

  deletedKeys(): KeyRecord[] {
    return [...this.keys.values()].filter((key) => key.deleted);
  }

  updateVersion(name: string, version: string | undefined, patch: KeyVersionPatch): KeyVersionRecord {
    const record = this.getVersion(name, version);
    if (patch.enabled !== undefined) record.enabled = patch.enabled;
    if (patch.nbf !== undefined) record.nbf = patch.nbf ?? undefined;
    if (patch.exp !== undefined) record.exp = patch.exp ?? undefined;
    if (patch.keyOps !== undefined) record.keyOps = patch.keyOps;
    if (patch.tags !== undefined) record.tags = patch.tags;
    record.updated = this.clock.nowSeconds();
    this.notifyChanged(this.getLiveKey(name));
    return record;
  }

  setRotationPolicy(
    name: string,
    policy: Pick<RotationPolicyRecord, "lifetimeActions" | "expiryTime">,
  ): RotationPolicyRecord {
    const key = this.getLiveKey(name);
    const now = this.clock.nowSeconds();
    key.rotationPolicy = { ...policy, created: key.rotationPolicy?.created ?? now, updated: now };
    this.notifyChanged(key);
    return key.rotationPolicy;
  }

  deleteKey(name: string): KeyRecord {
    const key = this.getLiveKey(name);
    const now = this.clock.nowSeconds();
    key.deleted = { deletedDate: now, scheduledPurgeDate: now + SOFT_DELETE_RETENTION_DAYS * 86_400 };
    this.notifyChanged(key);
    return key;
  }

  getDeleted(name: string): KeyRecord {
    const key = this.keys.get(name);
    if (!key?.deleted) {
      throw new KeyVaultError(404, "KeyNotFound", `Deleted Key not found: ${name}`);
    }
    return key;
  }

  recover(name: string): KeyRecord {
    const key = this.getDeleted(name);
    key.deleted = undefined;
    this.notifyChanged(key);
    return key;
  }

  purge(name: string): void {
    this.getDeleted(name);
    this.keys.delete(name);
  }

  private assertNotDeleted(name: string): void {
    if (this.keys.get(name)?.deleted) {
      throw new KeyVaultError(
        409,
        "Conflict",
        `Key ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the key can only be recovered or purged.`,
        "ObjectIsDeletedButRecoverable",
      );
    }
  }

  private notifyChanged(key: KeyRecord): void {
    for (const observer of this.observers) observer.keyChanged(key);
  }
}
