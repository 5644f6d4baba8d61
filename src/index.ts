// Entry point the Functions host loads (package.json "main"): validates settings, and importing each door registers it.
// First: with APPLICATIONINSIGHTS_CONNECTION_STRING set, Azure Monitor must hook @azure/functions before it loads.
import "./lib/telemetry/start";
import { getSettings } from "./lib/settings";
import "./orchestrations/rotateKey";
import "./orchestrations/sweepKeys";
import "./orchestrations/changeKey";
import "./functions/keyVaultEvents";
import "./functions/scheduledSweep";
import "./functions/rotations";
import "./functions/sweeps";
import "./functions/keyChanges";
import "./functions/keyHistory";
import "./functions/keyConsumers";
import "./functions/keys";
import "./functions/overview";
import "./functions/dashboard";
import "./functions/bindings";
import "./functions/health";
import "./orchestrations/revocationSteps";
import "./orchestrations/revokeKey";
import "./orchestrations/restoreKey";
import "./functions/revocations";
import "./functions/revocationsRestore";

// Every setting is read and validated once, at start-up: a bad value stops the app with a message naming it.
getSettings();
