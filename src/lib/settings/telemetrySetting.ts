// Reads APPLICATIONINSIGHTS_CONNECTION_STRING, telemetry's one setting: before every other setting, since Azure Monitor must start first.

/** The Application Insights connection string (Azure sets it from the component); unset or blank = no telemetry. */
export const TELEMETRY_CONNECTION_SETTING = "APPLICATIONINSIGHTS_CONNECTION_STRING";

export function readTelemetryConnectionString(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env[TELEMETRY_CONNECTION_SETTING]?.trim() || undefined;
}
