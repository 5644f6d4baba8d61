// The consumer kinds keyed by name: a third kind is one new file plus one entry here.
import type { ConsumerDeps } from "./deps";
import { createPowerPlatformPolicyConsumer, powerPlatformPolicySpec } from "./powerPlatformPolicy";
import { createStorageAccountConsumer, storageAccountSpec } from "./storageAccount";
import type { Consumer, ConsumerKind, ConsumerSpec, PowerPlatformPolicyConsumer } from "./types";

const KINDS: { [K in ConsumerKind]: { spec: ConsumerSpec; create(deps: ConsumerDeps): Consumer } } = {
  storageAccount: { spec: storageAccountSpec, create: createStorageAccountConsumer },
  powerPlatformPolicy: { spec: powerPlatformPolicySpec, create: createPowerPlatformPolicyConsumer },
};

/** Every known kind, in a stable order. */
export const CONSUMER_KINDS = Object.keys(KINDS) as ConsumerKind[];

export function isConsumerKind(value: unknown): value is ConsumerKind {
  return typeof value === "string" && Object.prototype.hasOwnProperty.call(KINDS, value);
}

/** Static facts of a kind (resource id shape, accepted keys, retirement floor). */
export function consumerSpec(kind: ConsumerKind): ConsumerSpec {
  return KINDS[kind].spec;
}

export interface ConsumerRegistry {
  /** The consumer implementation of a kind. */
  get(kind: ConsumerKind): Consumer;
  /** The Power Platform consumer with its environment operations (revocation/restore). */
  powerPlatformPolicy(): PowerPlatformPolicyConsumer;
}

/** Creates each consumer once, on first use. */
export function createConsumerRegistry(deps: ConsumerDeps): ConsumerRegistry {
  const created = new Map<ConsumerKind, Consumer>();
  const get = (kind: ConsumerKind): Consumer => {
    let consumer = created.get(kind);
    if (!consumer) {
      consumer = KINDS[kind].create(deps);
      created.set(kind, consumer);
    }
    return consumer;
  };
  return {
    get,
    powerPlatformPolicy: () => get("powerPlatformPolicy") as PowerPlatformPolicyConsumer,
  };
}
