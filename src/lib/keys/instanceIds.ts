// Deterministic durable instance ids per key: the singleton lock of rotation and revocation.
import { createHash } from "node:crypto";
import type { KeyIdentity } from "./types";

/** Durable instance ids are also table keys: keep them short and free of / \ # ? and control chars. */
const MAX_INSTANCE_ID_LENGTH = 100;

function instanceId(prefix: string, key: KeyIdentity): string {
  const readable = `${prefix}:${key.vaultName.toLowerCase()}:${key.keyName.toLowerCase()}`;
  if (readable.length <= MAX_INSTANCE_ID_LENGTH) return readable;
  const digest = createHash("sha256").update(readable).digest("hex").slice(0, 32);
  return `${readable.slice(0, MAX_INSTANCE_ID_LENGTH - 33)}~${digest}`;
}

/**
 * The one instance id of the key's `rotateKey` orchestration: a second trigger while it runs
 * finds it running and starts nothing. Revocation terminates this instance to take the key over.
 */
export function rotationInstanceId(key: KeyIdentity): string {
  return instanceId("rotate", key);
}

/** The one instance id of the key's `revokeKey` orchestration (restore runs under it too). */
export function revocationInstanceId(key: KeyIdentity): string {
  return instanceId("revoke", key);
}

/**
 * The one instance id of a `changeKey` orchestration from one key to another: posting the same
 * change while it runs finds it running; posting it again after it stopped short resumes it.
 */
export function keyChangeInstanceId(from: KeyIdentity, to: KeyIdentity): string {
  return instanceId("keychange", {
    vaultName: from.vaultName,
    keyName: `${from.keyName}>${to.vaultName.toLowerCase()}:${to.keyName}`,
  });
}
