// Entry point of the ARM emulator (storage accounts, Power Platform enterprise policies and environments).
export { startArmEmulator } from "./startArmEmulator";
export { ARM_LIMITS } from "./limits/Throttling";
export type * from "./types";
