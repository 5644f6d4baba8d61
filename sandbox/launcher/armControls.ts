// Connects the control API to the ARM emulator: its "arm" fault target and the consumer probes (data access, environments).
import type { ArmEmulator } from "../arm";
import { ControlRequestError, type ConsumerProbes, type FaultSpec, type FaultTarget } from "../control";

export function armFaultTarget(arm: ArmEmulator): FaultTarget {
  return {
    setFaults: ({ errorRate, statuses, latencyMs }: FaultSpec) =>
      arm.setFaults({ errorRate, statuses, latencyMs }),
    clearFaults: () => arm.clearFaults(),
    setThrottling: (isEnabled: boolean) => arm.setThrottling(isEnabled),
  };
}

/** Resource Graph alone (POST /providers/Microsoft.ResourceGraph/resources); its quota switches with the arm target. */
export function resourceGraphFaultTarget(arm: ArmEmulator): FaultTarget {
  return {
    setFaults: ({ errorRate, statuses, latencyMs }: FaultSpec) =>
      arm.setResourceGraphFaults({ errorRate, statuses, latencyMs }),
    clearFaults: () => arm.clearResourceGraphFaults(),
  };
}

export function armConsumerProbes(arm: ArmEmulator): ConsumerProbes {
  return {
    storageDataAccess: async (accountName) => {
      try {
        const result = await arm.dataAccess(accountName);
        return { status: result.status, body: result };
      } catch (error) {
        // The emulator's ArmError carries the HTTP status it would have answered.
        if ((error as { status?: unknown }).status === 404) {
          throw new ControlRequestError(
            404,
            "StorageAccountNotFound",
            `no storage account named ${accountName} in the sandbox`,
          );
        }
        throw error;
      }
    },
    environments: async () => arm.environments(),
  };
}
