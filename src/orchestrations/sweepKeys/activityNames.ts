// Durable names of the sweepKeys orchestration and its activities.
export const SWEEP_KEYS_ORCHESTRATION = "sweepKeys";

export const LIST_BOUND_KEYS = "sweepKeys_listBoundKeys";
export const FIND_CONSUMERS = "sweepKeys_findConsumers";
export const ASSESS_KEYS = "sweepKeys_assessKeys";
export const START_KEY_ROTATION = "sweepKeys_startRotation";
export const RECORD_DRIFT = "sweepKeys_recordDrift";
export const RECORD_SWEEP = "sweepKeys_recordSweep";
