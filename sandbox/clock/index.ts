// Entry point of the shared virtual clock.
export { VirtualClock, sharedClock, type ClockTimer } from "./VirtualClock";
