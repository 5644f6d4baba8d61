// Registers the rotateKey orchestration and its activities with the Durable Functions app.
import * as df from "durable-functions";
import {
  CREATE_KEY_VERSION,
  LOAD_ROTATION_PLAN,
  PROPAGATE_TO_TARGET,
  PUBLISH_OUTCOME,
  RECORD_ROTATION,
  RECORD_TARGET_ATTEMPTS,
  RETIRE_PREVIOUS_VERSIONS,
  ROTATE_KEY_ORCHESTRATION,
  VERIFY_TARGET,
} from "./activityNames";
import { createVersion } from "./activities/createVersion";
import { loadPlan } from "./activities/loadPlan";
import { publishOutcome, recordRotation } from "./activities/recordRotation";
import { retirePreviousVersions } from "./activities/retirePreviousVersions";
import { propagateToTarget, recordTargetAttempts, verifyTarget } from "./activities/targetAttempt";
import { rotateKey } from "./rotateKey";

df.app.orchestration(ROTATE_KEY_ORCHESTRATION, rotateKey);
df.app.activity(LOAD_ROTATION_PLAN, { handler: loadPlan });
df.app.activity(CREATE_KEY_VERSION, { handler: createVersion });
df.app.activity(PROPAGATE_TO_TARGET, { handler: propagateToTarget });
df.app.activity(VERIFY_TARGET, { handler: verifyTarget });
df.app.activity(RECORD_TARGET_ATTEMPTS, { handler: recordTargetAttempts });
df.app.activity(RECORD_ROTATION, { handler: recordRotation });
df.app.activity(PUBLISH_OUTCOME, { handler: publishOutcome });
df.app.activity(RETIRE_PREVIOUS_VERSIONS, { handler: retirePreviousVersions });
