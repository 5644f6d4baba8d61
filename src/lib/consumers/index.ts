// Entry point of consumers: one interface, one file per kind, a registry keyed by kind.
export type {
  ConsumerKind,
  Consumer,
  ConsumerSpec,
  ConsumerReference,
  ApplyOutcome,
  ApplyResult,
  VerifyState,
  VerifyResult,
  AccessState,
  AccessCheck,
  LinkedEnvironment,
  PowerPlatformPolicyConsumer,
} from "./types";
export type { ConsumerDeps } from "./deps";
export {
  CONSUMER_KINDS,
  isConsumerKind,
  consumerSpec,
  createConsumerRegistry,
  type ConsumerRegistry,
} from "./registry";
export { parseArmResourceId, vaultNameOfArmId, type ArmResourceId } from "./armResourceId";
export {
  storageAccountSpec,
  createStorageAccountConsumer,
  readStorageAccount,
  storageAccountFailure,
  storageAccountIdOf,
} from "./storageAccount";
export {
  powerPlatformPolicySpec,
  createPowerPlatformPolicyConsumer,
  ENTERPRISE_POLICY_API_VERSION,
} from "./powerPlatformPolicy";
export { referenceUsesKey, sameVaultOrigin } from "./referenceUsesKey";
