// Entry point of the ARM emulator (storage accounts, Power Platform enterprise policies and environments).
export { SECOND_SUBSCRIPTION_ID, startArmEmulator } from "./startArmEmulator";
export { RESOURCE_GRAPH_QUOTA } from "./resourceGraph/UserQuota";
export { ARM_LIMITS } from "./limits/Throttling";
export type * from "./types";
