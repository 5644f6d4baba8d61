// Registers the restoreKey orchestration and its activities with the Durable Functions app.
import * as df from "durable-functions";
import { ENABLE_VERSIONS, LOAD_REVOCATION, LOWER_FENCE, RESTORE_KEY_ORCHESTRATION } from "./activityNames";
import { enableVersions, loadRevocation, lowerFence } from "./activities/restoreActivities";
import { restoreKey } from "./restoreKey";

df.app.orchestration(RESTORE_KEY_ORCHESTRATION, restoreKey);
df.app.activity(LOAD_REVOCATION, { handler: loadRevocation });
df.app.activity(ENABLE_VERSIONS, { handler: enableVersions });
df.app.activity(LOWER_FENCE, { handler: lowerFence });
