// Registers the sweepKeys orchestration and its activities with the Durable Functions app.
import * as df from "durable-functions";
import {
  ASSESS_KEYS,
  FIND_CONSUMERS,
  LIST_BOUND_KEYS,
  RECORD_DRIFT,
  RECORD_SWEEP,
  START_KEY_ROTATION,
  SWEEP_KEYS_ORCHESTRATION,
} from "./activityNames";
import { assessKeys } from "./activities/assessKey";
import { findConsumers } from "./activities/findConsumers";
import { listBoundKeys } from "./activities/listBoundKeys";
import { recordDrift } from "./activities/recordDrift";
import { recordSweep } from "./activities/recordSweep";
import { durableClientInput, startKeyRotation } from "./activities/startKeyRotation";
import { sweepKeys } from "./sweepKeys";

df.app.orchestration(SWEEP_KEYS_ORCHESTRATION, sweepKeys);
df.app.activity(LIST_BOUND_KEYS, { handler: listBoundKeys });
df.app.activity(FIND_CONSUMERS, { handler: findConsumers });
df.app.activity(ASSESS_KEYS, { handler: assessKeys });
df.app.activity(START_KEY_ROTATION, { handler: startKeyRotation, extraInputs: [durableClientInput] });
df.app.activity(RECORD_DRIFT, { handler: recordDrift });
df.app.activity(RECORD_SWEEP, { handler: recordSweep });
