// Reads Key Vault event `data` fields whatever their casing, stray spaces or number encoding.

/**
 * Finds `name` among the object's keys, ignoring case and surrounding spaces: payloads have been
 * seen in PascalCase, camelCase and with keys like `"objectName "`.
 */
export function readField(data: Record<string, unknown>, name: string): unknown {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(data)) {
    if (key.trim().toLowerCase() === wanted) return value;
  }
  return undefined;
}

/** A trimmed non-empty string, or undefined. Numbers are accepted and stringified. */
export function readText(data: Record<string, unknown>, name: string): string | undefined {
  const value = readField(data, name);
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value !== "string") return undefined;
  const trimmed = value.trim();
  return trimmed === "" ? undefined : trimmed;
}

/**
 * Unix seconds from a number, a numeric string or null (NBF/EXP come in all three forms);
 * undefined when absent, null, or not a finite number.
 */
export function readEpochSeconds(data: Record<string, unknown>, name: string): number | undefined {
  const value = readField(data, name);
  if (value === null || value === undefined) return undefined;
  const numeric = typeof value === "string" ? (value.trim() === "" ? NaN : Number(value.trim())) : value;
  return typeof numeric === "number" && Number.isFinite(numeric) ? numeric : undefined;
}
