// Door: the timer that starts the sweep on CMK_SWEEP_SCHEDULE (six-field NCRONTAB, validated at start-up).
import * as df from "durable-functions";
import { getServices } from "../lib/services";
import { startSweep } from "../starters/sweeps/startSweep";

export const SCHEDULED_SWEEP_FUNCTION = "scheduledSweep";

df.app.client.timer(SCHEDULED_SWEEP_FUNCTION, {
  schedule: "%CMK_SWEEP_SCHEDULE%",
  handler: async (timer, client, context) => {
    const outcome = await startSweep(client, getServices().leases, {
      reason: timer.isPastDue ? "schedule (past due)" : "schedule",
      trigger: "Schedule",
    });
    context.log(
      outcome.started
        ? `${SCHEDULED_SWEEP_FUNCTION}: started sweep ${outcome.sweepId}`
        : `${SCHEDULED_SWEEP_FUNCTION}: sweep ${outcome.runningId} still running, skipped`,
    );
  },
});
