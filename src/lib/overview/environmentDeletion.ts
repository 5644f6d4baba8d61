// When Power Platform deletes an environment that stays locked: 30 days for production, 7 for every other kind.
import type { RevocationRecord } from "../audit/types";
import type { LockedEnvironment } from "./types";

const DAY_MS = 86_400_000;
export const PRODUCTION_RETENTION_DAYS = 30;
export const NON_PRODUCTION_RETENTION_DAYS = 7;

/**
 * Production (and the tenant's Default) environments are kept 30 days; sandbox, trial and developer
 * ones 7. An unknown kind gets the shorter period: showing a deadline too early is the safe mistake.
 */
export function retentionDaysOf(environmentSku: string | undefined): number {
  const sku = (environmentSku ?? "").toLowerCase();
  return sku === "production" || sku === "default"
    ? PRODUCTION_RETENTION_DAYS
    : NON_PRODUCTION_RETENTION_DAYS;
}

/**
 * The environments a revocation left locked, each with its deletion date. The lock time is the one
 * the admin API reported; without it, the revocation's start (the earliest the lock can have come).
 */
export function lockedEnvironmentsOf(record: RevocationRecord): LockedEnvironment[] {
  const fallbackMs = Date.parse(record.startedAt);
  return (record.environments ?? [])
    .filter((environment) => environment.state !== "Enabled")
    .map((environment) => {
      const reportedMs = environment.lockedAt ? Date.parse(environment.lockedAt) : NaN;
      const lockedAtMs = Number.isNaN(reportedMs) ? fallbackMs : reportedMs;
      const retentionDays = retentionDaysOf(environment.environmentSku);
      return {
        id: environment.id,
        displayName: environment.displayName ?? null,
        state: environment.state,
        environmentSku: environment.environmentSku ?? null,
        lockedAt: new Date(lockedAtMs).toISOString(),
        retentionDays,
        deletionAt: new Date(lockedAtMs + retentionDays * DAY_MS).toISOString(),
      };
    });
}
