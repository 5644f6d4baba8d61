// Registers the revokeKey orchestration and its activities with the Durable Functions app.
import * as df from "durable-functions";
import {
  CHECK_TARGET,
  DISABLE_VERSIONS,
  PUBLISH_REVOCATION,
  RECORD_REVOCATION,
  REVOKE_KEY_ORCHESTRATION,
  SNAPSHOT_VERSIONS,
  TAKE_OVER_KEY,
} from "./activityNames";
import { checkTarget } from "./activities/checkTarget";
import { disableVersions } from "./activities/disableVersions";
import { publishRevocation, recordRevocation } from "./activities/recordRevocation";
import { snapshotVersions } from "./activities/snapshotVersions";
import { durableClientInput, takeOverKey } from "./activities/takeOverKey";
import { revokeKey } from "./revokeKey";

df.app.orchestration(REVOKE_KEY_ORCHESTRATION, revokeKey);
df.app.activity(TAKE_OVER_KEY, { handler: takeOverKey, extraInputs: [durableClientInput] });
df.app.activity(SNAPSHOT_VERSIONS, { handler: snapshotVersions });
df.app.activity(DISABLE_VERSIONS, { handler: disableVersions });
// Also called by restoreKey (expecting Accessible instead of Denied).
df.app.activity(CHECK_TARGET, { handler: checkTarget });
df.app.activity(RECORD_REVOCATION, { handler: recordRevocation });
df.app.activity(PUBLISH_REVOCATION, { handler: publishRevocation });
