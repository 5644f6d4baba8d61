// Entry point of ISO-8601 durations: the one implementation the app (and the sandbox's Key Vault) uses.
export {
  parseIsoDuration,
  tryParseIsoDuration,
  addIsoDuration,
  subtractIsoDuration,
  minimumDurationMs,
  isAtLeast,
  type IsoDuration,
} from "./isoDuration";
