// Public types of discovery: what Resource Graph finds using a key, and how it compares with the bindings.
import type { BindingTarget, BindingMode } from "../bindings/types";
import type { ConsumerKind, ConsumerReference } from "../consumers/types";

/** A resource that uses the key, as Resource Graph shows it (every write reads it from ARM first). */
export interface FoundConsumer {
  kind: ConsumerKind;
  resourceId: string;
  /** pinned when its configuration names a version, versionless when it follows the newest. */
  mode: BindingMode;
  /** What its Resource Graph row says it is configured with. */
  reference: ConsumerReference;
}

/**
 * Registered: bound and using the key as bound; Unregistered: uses the key, not bound;
 * Missing: bound, but no longer uses the key (gone, or not encrypted with a Key Vault key);
 * Mismatch: bound, but uses another key or another mode than the binding says.
 */
export type Registration = "Registered" | "Unregistered" | "Missing" | "Mismatch";

/** One row of GET /api/keys/{vault}/{key}/consumers. */
export interface ConsumerRow {
  resourceId: string;
  kind: ConsumerKind;
  /** The binding's mode when bound, else the mode the resource is configured with. */
  mode: BindingMode;
  /** The version the resource really uses (storage: currentVersionedKeyIdentifier), else the one it is configured with. */
  versionInUse?: string;
  /** The version its configuration names; absent when it follows the newest. */
  configuredVersion?: string;
  registration: Registration;
  /** One sentence an operator can act on. */
  detail: string;
}

/** What the ARM GET of one bound target said. */
export type BoundTargetRead =
  { target: BindingTarget; reference: ConsumerReference } | { target: BindingTarget; gone: string };

/** Which subscriptions and management groups discovery asks Resource Graph about (none: all the identity can read). */
export interface DiscoveryScopes {
  subscriptions?: string[];
  managementGroups?: string[];
}
