// Entry point of the bindings registry: types, validation, due dates, the Table store.
export type { BindingMode, BindingTarget, RotationPolicy, KeyBinding, BindingStore } from "./types";
export {
  validateBinding,
  keyCompatibilityProblems,
  assertKeyCompatible,
  MAX_TARGETS,
  MIN_ROTATE_EVERY,
  MIN_EXPIRES_AFTER,
} from "./validateBinding";
export {
  rotationDue,
  newVersionExpiryMs,
  retireNotBeforeMs,
  NEAR_EXPIRY_WINDOW,
  type RotationDue,
  type DueReason,
} from "./dueDates";
export { createTableBindingStore, BINDINGS_TABLE } from "./tableBindingStore";
