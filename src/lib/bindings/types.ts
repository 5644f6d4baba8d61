// Public types of the bindings registry: which resources use which key, and the key's rotation policy.
import type { ConsumerKind } from "../consumers/types";
import type { KeyIdentity } from "../keys/types";

/** pinned: the service writes each new version into the resource; versionless: it follows by itself, the service only verifies. */
export type BindingMode = "pinned" | "versionless";

export interface BindingTarget {
  kind: ConsumerKind;
  /** ARM resource id, as given (compared case-insensitively). */
  resourceId: string;
  mode: BindingMode;
}

/** ISO-8601 durations (P3M is three months, PT3M three minutes). */
export interface RotationPolicy {
  /** Rotate when the current version is this old. */
  rotateEvery?: string;
  /** New versions expire this long after creation. */
  expiresAfter?: string;
  /** Disable the previous version this long after a rotation (≥ P28D with a Power Platform target); unset = never. */
  retireAfter?: string;
  /** true: a rotation also updates (pinned) or verifies (versionless) consumers discovery finds; default: only report them. */
  adoptDiscovered?: boolean;
}

export interface KeyBinding {
  key: KeyIdentity;
  targets: BindingTarget[];
  policy: RotationPolicy;
  /** When the binding was last written (epoch ms); 0 before it is stored. */
  updatedAtMs: number;
}

/** Table-backed registry of bindings. Needs Storage Table Data Contributor on AzureWebJobsStorage. */
export interface BindingStore {
  get(key: KeyIdentity): Promise<KeyBinding | undefined>;
  /** Creates or replaces; returns what was stored. */
  put(binding: KeyBinding): Promise<KeyBinding>;
  /** True when there was a binding to delete. */
  delete(key: KeyIdentity): Promise<boolean>;
  /** Every binding, ordered by vault then key. */
  list(): Promise<KeyBinding[]>;
}
