// Door: the Event Grid trigger for Key Vault key events (both schemas); one audit record per event that starts nothing.
import * as df from "durable-functions";
import { onKeyVaultEvent } from "../starters/rotations/onKeyVaultEvent";
import { getServices } from "../lib/services";

/** Durable name of the trigger: the sandbox and deployment subscribe the vaults' events to it. */
export const KEY_VAULT_EVENTS_FUNCTION = "keyVaultEvents";

df.app.client.eventGrid(KEY_VAULT_EVENTS_FUNCTION, {
  handler: async (event, client, context) => {
    // A thrown error (a dependency down) fails the delivery so Event Grid retries it.
    const handled = await onKeyVaultEvent(client, getServices(), event);
    context.log(
      `${KEY_VAULT_EVENTS_FUNCTION}: ${handled.result} (${handled.reason})${handled.rotationId ? ` rotation ${handled.rotationId}` : ""}`,
    );
  },
});
