// PUT /api/bindings/{vault}/{key}: validate the body and that the key exists and suits every bound consumer, then store.
import { assertKeyCompatible, validateBinding, type KeyBinding } from "../../lib/bindings";
import type { KeyIdentity } from "../../lib/keys";
import type { Services } from "../../lib/services";

/** Throws InvalidBinding / InvalidDuration / KeyNotFound / IncompatibleKey before anything is written. */
export async function registerBinding(
  services: Pick<Services, "keyVault" | "bindings">,
  key: KeyIdentity,
  body: unknown,
): Promise<KeyBinding> {
  const binding = validateBinding(key, body);
  assertKeyCompatible(binding, await services.keyVault.getKey(key));
  return services.bindings.put(binding);
}
