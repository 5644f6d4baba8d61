// The JSON shape of a binding in the HTTP API (docs/http-api.md), from the domain KeyBinding.
import type { KeyBinding } from "../../lib/bindings";
import type { VaultAllowList } from "../../lib/keys";

export interface BindingView {
  vaultName: string;
  keyName: string;
  keyId: string;
  targets: KeyBinding["targets"];
  policy: KeyBinding["policy"];
  updatedAt: string | null;
}

export function bindingView(binding: KeyBinding, allowList: VaultAllowList): BindingView {
  let keyId = "";
  try {
    keyId = allowList.keyIdOf(binding.key);
  } catch {
    // A binding left behind after its vault was removed from the allow-list: still listed, no key id.
  }
  return {
    vaultName: binding.key.vaultName,
    keyName: binding.key.keyName,
    keyId,
    targets: binding.targets,
    policy: binding.policy,
    updatedAt: binding.updatedAtMs ? new Date(binding.updatedAtMs).toISOString() : null,
  };
}
