// Pure rules of revocation and restore: which versions a revocation owns and which restore re-enables.
import type { RevokedVersion } from "../audit";

/**
 * Exactly the versions this revocation disabled and that are not back yet: never one that was
 * already disabled before the revocation, never one twice (so restoring twice is harmless).
 */
export function versionsToRestore(versions: readonly RevokedVersion[]): string[] {
  return versions
    .filter((entry) => entry.wasEnabled && entry.disabledAt !== null && entry.restoredAt === null)
    .map((entry) => entry.version);
}

/** Versions a revocation touched, from the list taken before it disabled anything. */
export function revokedVersionsOf(
  snapshot: ReadonlyArray<{ version: string; enabled: boolean }>,
): RevokedVersion[] {
  return snapshot.map(({ version, enabled }) => ({
    version,
    wasEnabled: enabled,
    disabledAt: null,
    restoredAt: null,
  }));
}
