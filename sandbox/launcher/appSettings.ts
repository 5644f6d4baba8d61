// The app settings that point the app at the sandbox's services: one list for the launcher and the e2e stack.

export interface SandboxServices {
  /** `AzureWebJobsStorage`: the Azurite connection string. */
  storageConnectionString: string;
  /** Vault name → the Key Vault emulator's URL for it (`CMK_ALLOWED_VAULTS`). */
  vaultUrls: Record<string, string>;
  /** The ARM emulator: ARM, the Power Platform admin API and the app's managed identity. */
  arm: { url: string; managedIdentity: { env: Record<string, string> } };
  revocationSecret: string;
  sweepSchedule: string;
}

/** Every setting the app reads at start-up, aimed at the sandbox's emulators. */
export function sandboxAppSettings(services: SandboxServices): Record<string, string> {
  return {
    AzureWebJobsStorage: services.storageConnectionString,
    CMK_ALLOWED_VAULTS: Object.entries(services.vaultUrls)
      .map(([name, url]) => `${name}=${url}`)
      .join(","),
    CMK_ARM_ENDPOINT: services.arm.url,
    CMK_POWER_PLATFORM_ENDPOINT: services.arm.url,
    CMK_REVOCATION_SECRET: services.revocationSecret,
    CMK_SWEEP_SCHEDULE: services.sweepSchedule,
    ...services.arm.managedIdentity.env,
  };
}
