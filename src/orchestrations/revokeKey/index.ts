// Registers the revokeKey orchestration and its own activities with the Durable Functions app.
import * as df from "durable-functions";
import {
  DISABLE_VERSIONS,
  REVOKE_KEY_ORCHESTRATION,
  SNAPSHOT_VERSIONS,
  TAKE_OVER_KEY,
} from "./activityNames";
import { disableVersions } from "./activities/disableVersions";
import { snapshotVersions } from "./activities/snapshotVersions";
import { durableClientInput, takeOverKey } from "./activities/takeOverKey";
import { revokeKey } from "./revokeKey";

df.app.orchestration(REVOKE_KEY_ORCHESTRATION, revokeKey);
df.app.activity(TAKE_OVER_KEY, { handler: takeOverKey, extraInputs: [durableClientInput] });
df.app.activity(SNAPSHOT_VERSIONS, { handler: snapshotVersions });
df.app.activity(DISABLE_VERSIONS, { handler: disableVersions });
