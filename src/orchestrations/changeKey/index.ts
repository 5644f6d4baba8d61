// Registers the changeKey orchestration and its activities with the Durable Functions app.
import * as df from "durable-functions";
import {
  CHANGE_KEY_ORCHESTRATION,
  ENSURE_TARGET_POLICY,
  MOVE_BINDING,
  POLL_ENVIRONMENT_OPERATION,
  RECORD_KEY_CHANGE,
  START_ENVIRONMENT_OPERATION,
  SWITCH_STORAGE_ACCOUNT,
  VERIFY_ENVIRONMENT,
} from "./activityNames";
import { ensureTargetPolicy } from "./activities/ensureTargetPolicy";
import {
  pollEnvironmentOperation,
  startEnvironmentOperation,
  verifyEnvironment,
} from "./activities/environmentSteps";
import { moveBinding } from "./activities/moveBinding";
import { recordKeyChange } from "./activities/recordKeyChange";
import { switchStorageAccount } from "./activities/switchStorageAccount";
import { changeKey } from "./changeKey";

df.app.orchestration(CHANGE_KEY_ORCHESTRATION, changeKey);
df.app.activity(RECORD_KEY_CHANGE, { handler: recordKeyChange });
df.app.activity(SWITCH_STORAGE_ACCOUNT, { handler: switchStorageAccount });
df.app.activity(ENSURE_TARGET_POLICY, { handler: ensureTargetPolicy });
df.app.activity(START_ENVIRONMENT_OPERATION, { handler: startEnvironmentOperation });
df.app.activity(POLL_ENVIRONMENT_OPERATION, { handler: pollEnvironmentOperation });
df.app.activity(VERIFY_ENVIRONMENT, { handler: verifyEnvironment });
df.app.activity(MOVE_BINDING, { handler: moveBinding });
