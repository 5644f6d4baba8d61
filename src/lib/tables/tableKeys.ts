// Table Storage key helpers: escape what PartitionKey/RowKey forbid, and newest-first row keys.

/**
 * Table Storage forbids / \ # ? and control characters (U+0000-001F, U+007F-009F) in keys; we
 * also escape ' (OData quoting), % (some proxies decode it) and our escape character ~ itself.
 */
// eslint-disable-next-line no-control-regex -- control characters are exactly what must be escaped
const FORBIDDEN = /[~/\\#?%'\u0000-\u001f\u007f-\u009f]/g;

/** Escapes a value for use in a PartitionKey or RowKey as ~XX (hex); reversible with decodeTableKey. */
export function encodeTableKey(value: string): string {
  return value.replace(
    FORBIDDEN,
    (character) => `~${character.charCodeAt(0).toString(16).padStart(2, "0").toUpperCase()}`,
  );
}

/** Reverses encodeTableKey. */
export function decodeTableKey(encoded: string): string {
  return encoded.replace(/~([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** Digits of Number.MAX_SAFE_INTEGER: every inverted time has exactly this many. */
const INVERTED_TIME_DIGITS = String(Number.MAX_SAFE_INTEGER).length;

/**
 * A fixed-width string that sorts newest first (MAX_SAFE_INTEGER - epochMs, zero-padded):
 * Table Storage returns a partition in RowKey order, so a history reads newest first without a scan.
 */
export function invertedTime(epochMs: number): string {
  if (!Number.isSafeInteger(epochMs) || epochMs < 0)
    throw new RangeError(`invertedTime needs a non-negative integer epoch ms, got ${epochMs}.`);
  return String(Number.MAX_SAFE_INTEGER - epochMs).padStart(INVERTED_TIME_DIGITS, "0");
}

/** Reverses invertedTime. */
export function fromInvertedTime(inverted: string): number {
  return Number.MAX_SAFE_INTEGER - Number(inverted);
}
