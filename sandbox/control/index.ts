// Entry point of the sandbox control API (docs/sandbox.md).
export { startControlApi, type ControlApi, type ControlApiOptions } from "./controlServer";
export { parseFaultRequest, ControlRequestError } from "./parseFaultRequest";
export {
  FAULT_TARGET_NAMES,
  type ConsumerProbes,
  type DataAccessProbe,
  type FaultSpec,
  type FaultTarget,
  type FaultTargetName,
} from "./types";
