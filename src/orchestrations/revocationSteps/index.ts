// Registers the activities revokeKey and restoreKey share: consumer checks, the record, the outcome event.
import * as df from "durable-functions";
import { CHECK_TARGET, PUBLISH_REVOCATION, RECORD_REVOCATION } from "./activityNames";
import { checkTarget } from "./activities/checkTarget";
import { publishRevocation, recordRevocation } from "./activities/recordRevocation";

df.app.activity(CHECK_TARGET, { handler: checkTarget });
df.app.activity(RECORD_REVOCATION, { handler: recordRevocation });
df.app.activity(PUBLISH_REVOCATION, { handler: publishRevocation });
