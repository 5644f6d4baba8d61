// Entry point of the in-process Azurite launcher.
export {
  startAzurite,
  AZURITE_ACCOUNT,
  AZURITE_ACCOUNT_KEY,
  type AzuriteOptions,
  type RunningAzurite,
} from "./startAzurite";
