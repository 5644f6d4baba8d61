// Reads and validates every setting once; getSettings() memoises the result for the process.
import { CronExpressionParser } from "cron-parser";
import { parseAllowedVaults } from "./parseAllowedVaults";
import { parseDiscoveryScopes } from "./parseDiscoveryScopes";
import { readRevocationSecret } from "./revocationSecret";
import { SettingsError } from "./SettingsError";
import { readStorageConnection } from "./storageConnection";
import {
  DEFAULT_ARM_ENDPOINT,
  DEFAULT_KEY_CHANGE_PARALLEL_ENVIRONMENTS,
  DEFAULT_POWER_PLATFORM_ENDPOINT,
  MAX_KEY_CHANGE_PARALLEL_ENVIRONMENTS,
  type SettingName,
  type Settings,
} from "./types";

type Environment = Readonly<Record<string, string | undefined>>;

function optional(env: Environment, name: SettingName): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function required(env: Environment, name: SettingName, hint: string): string {
  const value = optional(env, name);
  if (value === undefined) throw new SettingsError(name, `is not set: ${hint}`);
  return value;
}

function httpsOrigin(name: SettingName, value: string): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new SettingsError(name, "is not a URL: give an https origin such as https://management.azure.com.");
  }
  if (parsed.protocol !== "https:")
    throw new SettingsError(name, "must be an https URL (bearer tokens are never sent over http).");
  return parsed.origin;
}

function topicEndpoint(value: string): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new SettingsError(
      "CMK_NOTIFY_TOPIC_ENDPOINT",
      "is not a URL: give the topic endpoint, e.g. https://<topic>.<region>-1.eventgrid.azure.net/api/events.",
    );
  }
  const isLoopback = ["localhost", "127.0.0.1", "[::1]"].includes(parsed.hostname);
  if (parsed.protocol !== "https:" && !(parsed.protocol === "http:" && isLoopback)) {
    throw new SettingsError("CMK_NOTIFY_TOPIC_ENDPOINT", "must be an https URL (http only on loopback).");
  }
  return parsed.toString();
}

/** Checks a six-field NCRONTAB (`second minute hour day month day-of-week`) as the timer trigger reads it. */
function sweepSchedule(value: string): string {
  const fields = value.split(/\s+/);
  if (fields.length !== 6) {
    throw new SettingsError(
      "CMK_SWEEP_SCHEDULE",
      `has ${fields.length} fields; NCRONTAB needs 6 ("second minute hour day month day-of-week"), e.g. "0 0 */6 * * *".`,
    );
  }
  try {
    CronExpressionParser.parse(value);
  } catch (error) {
    throw new SettingsError(
      "CMK_SWEEP_SCHEDULE",
      `is not a valid NCRONTAB expression: ${(error as Error).message}.`,
    );
  }
  return value;
}

/** A whole number from 1 to the maximum: how many environments a key change moves at once. */
function keyChangeParallelEnvironments(value: string | undefined): number {
  if (value === undefined) return DEFAULT_KEY_CHANGE_PARALLEL_ENVIRONMENTS;
  const count = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(count >= 1 && count <= MAX_KEY_CHANGE_PARALLEL_ENVIRONMENTS))
    throw new SettingsError(
      "CMK_KEY_CHANGE_PARALLEL_ENVIRONMENTS",
      `is "${value}": give a whole number from 1 to ${MAX_KEY_CHANGE_PARALLEL_ENVIRONMENTS} (environments a key change moves at once; unset = ${DEFAULT_KEY_CHANGE_PARALLEL_ENVIRONMENTS}).`,
    );
  return count;
}

/**
 * Validates every setting the app reads. Throws a SettingsError naming the first bad setting and
 * what to fix; never echoes a secret's value.
 */
export function loadSettings(env: Environment = process.env): Settings {
  const storage = readStorageConnection(env);
  const allowedVaults = parseAllowedVaults(
    required(
      env,
      "CMK_ALLOWED_VAULTS",
      "list the vaults the service may touch: `name=https://url,...` or bare names.",
    ),
  );
  const armEndpoint = httpsOrigin(
    "CMK_ARM_ENDPOINT",
    optional(env, "CMK_ARM_ENDPOINT") ?? DEFAULT_ARM_ENDPOINT,
  );
  const powerPlatformEndpoint = httpsOrigin(
    "CMK_POWER_PLATFORM_ENDPOINT",
    optional(env, "CMK_POWER_PLATFORM_ENDPOINT") ?? DEFAULT_POWER_PLATFORM_ENDPOINT,
  );
  const schedule = sweepSchedule(
    required(env, "CMK_SWEEP_SCHEDULE", 'give a six-field NCRONTAB, e.g. "0 0 */6 * * *".'),
  );
  const notifyTopicRaw = optional(env, "CMK_NOTIFY_TOPIC_ENDPOINT");
  const notifyTopicKey = optional(env, "CMK_NOTIFY_TOPIC_KEY");
  if (notifyTopicKey !== undefined && notifyTopicRaw === undefined) {
    throw new SettingsError(
      "CMK_NOTIFY_TOPIC_KEY",
      "is set but CMK_NOTIFY_TOPIC_ENDPOINT is not: set the topic endpoint too, or remove the key.",
    );
  }
  return {
    storage,
    allowedVaults,
    armEndpoint,
    powerPlatformEndpoint,
    revocationSecret: readRevocationSecret(env.CMK_REVOCATION_SECRET),
    sweepSchedule: schedule,
    notifyTopicEndpoint: notifyTopicRaw === undefined ? undefined : topicEndpoint(notifyTopicRaw),
    notifyTopicKey,
    managedIdentityClientId: optional(env, "AZURE_CLIENT_ID"),
    discoveryScopes: parseDiscoveryScopes(optional(env, "CMK_DISCOVERY_SCOPES")),
    keyChangeParallelEnvironments: keyChangeParallelEnvironments(
      optional(env, "CMK_KEY_CHANGE_PARALLEL_ENVIRONMENTS"),
    ),
  };
}

let memoised: Settings | undefined;

/** The process's settings, validated on first use (a host restart or resetSettings() re-reads). */
export function getSettings(): Settings {
  memoised ??= loadSettings();
  return memoised;
}

/** Forgets the memoised settings so the next getSettings() re-reads process.env (tests, host restart). */
export function resetSettings(): void {
  memoised = undefined;
}
