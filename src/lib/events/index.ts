// Key Vault event normalisation: wire payloads in, one domain type out.
export { normalizeKeyVaultEvent, eventDedupeKey } from "./normalizeKeyVaultEvent";
export { readField, readText, readEpochSeconds } from "./readField";
export type { KeyVaultKeyEvent, KeyEventKind, EventSchema, NormalizeResult } from "./types";
