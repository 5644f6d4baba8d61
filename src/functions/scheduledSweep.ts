// Door: the timer that starts the sweep on CMK_SWEEP_SCHEDULE (six-field NCRONTAB, validated at start-up).
import * as df from "durable-functions";
import { startSweep } from "../starters/sweeps/startSweep";

export const SCHEDULED_SWEEP_FUNCTION = "scheduledSweep";

df.app.client.timer(SCHEDULED_SWEEP_FUNCTION, {
  schedule: "%CMK_SWEEP_SCHEDULE%",
  handler: async (timer, client, context) => {
    const { started, instanceId } = await startSweep(client, {
      reason: timer.isPastDue ? "schedule (past due)" : "schedule",
    });
    context.log(
      `${SCHEDULED_SWEEP_FUNCTION}: ${started ? "started" : "still running, skipped"} ${instanceId}`,
    );
  },
});
