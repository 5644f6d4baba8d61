// Connects the control API's "keyvault" fault target to the Key Vault emulator's controls (every vault at once).
import type { FaultSpec, FaultTarget } from "../control";
import type { KeyVaultEmulator } from "../keyvault";

export function keyVaultFaultTarget(emulator: KeyVaultEmulator): FaultTarget {
  return {
    setFaults: ({ errorRate, statuses, latencyMs }: FaultSpec) =>
      emulator.setFaults(undefined, { errorRate, statuses, latencyMs }),
    clearFaults: () => emulator.clearFaults(),
    setThrottling: (isEnabled: boolean) => emulator.setThrottling(isEnabled),
  };
}
