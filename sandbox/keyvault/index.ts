// Entry point of the Key Vault emulator (keys REST API, Event Grid events, rotation policies, throttling, faults).
export {
  startKeyVaultEmulator,
  type KeyVaultEmulator,
  type KeyVaultEmulatorOptions,
  type VaultInfo,
} from "./startKeyVaultEmulator";
export type {
  EventSubscription,
  EventSubscriptionInput,
  DeliveryRecord,
  DeliveryOutcome,
  DeliveryOptions,
} from "./EventPublisher";
export type { EventSchema, KeyEventType, KeyVaultEventData } from "./eventPayloads";
export type { FaultSettings } from "./Faults";
export { KEY_VAULT_LIMITS, type OperationCount, type ThrottlingLimits } from "./Throttle";
export type { AccessState } from "./AccessControl";
export { SUPPORTED_API_VERSIONS } from "./vaultServer";
