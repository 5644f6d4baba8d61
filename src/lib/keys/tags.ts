// Tags this service puts on the key versions it creates, and how to read them back.
import type { KeyVersionInfo } from "./types";

/** Tag holding the id of the rotation that created a version: the exactly-once marker. */
export const ROTATION_ID_TAG = "cmk-rotator-rotation-id";

/** The rotation id that created this version, or undefined when this service did not create it. */
export function creatingRotationIdOf(version: Pick<KeyVersionInfo, "tags">): string | undefined {
  return version.tags[ROTATION_ID_TAG];
}

/** True when this service created the version (portal and rotation-policy versions are not ours). */
export function isCreatedByService(version: Pick<KeyVersionInfo, "tags">): boolean {
  return creatingRotationIdOf(version) !== undefined;
}
