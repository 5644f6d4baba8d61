// Imported first by src/index.ts: starts Azure Monitor before anything loads @azure/functions, when the connection string is set.
import { startTelemetry } from "./providers";

startTelemetry();
