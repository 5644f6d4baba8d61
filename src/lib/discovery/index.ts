// Entry point of discovery: Resource Graph queries, paging within the quota, confirmation by ARM, registration of each consumer.
export type { ConsumerRow, DiscoveryScopes, FoundConsumer, Registration, BoundTargetRead } from "./types";
export { classifyConsumers, modeOfReference, versionsHeldBy } from "./classifyConsumers";
export {
  enterprisePoliciesOfVaultsQuery,
  enterprisePolicyQuery,
  keyNameOfRow,
  storageAccountQuery,
  storageAccountsOfVaultsQuery,
  type KeyFilter,
  type VaultFilter,
} from "./consumerQueries";
export {
  GraphQuotaGate,
  quotaResetsAfterMs,
  readAllRows,
  type GraphPage,
  type GraphPageRequest,
  type ReadGraphPage,
} from "./resourceGraphPages";
export { MAX_PAGE_ROWS, resourceGraphReader } from "./resourceGraphReader";
export {
  createConsumerDiscovery,
  type ConsumerDiscovery,
  type DiscoveryDeps,
  type FoundKeyConsumer,
  type FoundVaultConsumer,
} from "./createConsumerDiscovery";
export { createTableDriftStore, DRIFT_TABLE, type DriftItem, type DriftStore } from "./driftStore";
export { driftChanges, driftOf } from "./driftChanges";
