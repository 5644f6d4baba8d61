// Keeps secrets out of audit rows: drops fields named like secrets and masks values shaped like credentials.

/** Field names that may hold a secret. `keyId`, `keyName`, `keyType` are not secrets; a bare `key` may be. */
const SECRET_FIELD =
  /(secret|password|passwd|token|signature|credential|connectionstring|accountkey|accesskey|apikey|privatekey|sas)/i;
const BARE_KEY_FIELD = /^(key|keys|value_key)$/i;
/** Values that look like bearer tokens (JWT), HMAC signatures or connection strings. */
const SECRET_VALUE = [
  /eyJ[\w-]{5,}\.[\w-]{5,}\.?[\w-]*/g,
  /sha256=[0-9a-f]{64}/gi,
  /AccountKey=[^;\s]+/gi,
  /SharedAccessSignature=[^;\s]+/gi,
  /\bsig=[^&\s]+/gi,
];

export const REDACTED = "[redacted]";

export function isSecretFieldName(name: string): boolean {
  return SECRET_FIELD.test(name) || BARE_KEY_FIELD.test(name);
}

function maskString(value: string): string {
  return SECRET_VALUE.reduce((text, pattern) => text.replace(pattern, REDACTED), value);
}

/**
 * A deep copy of `value` without secret-named fields and with credential-shaped strings masked.
 * `removed` lists the dropped field paths (for tests and a warning log, never their values).
 */
export function stripSecrets<T>(value: T, removed: string[] = [], path = ""): T {
  if (typeof value === "string") return maskString(value) as T;
  if (Array.isArray(value))
    return value.map((item, index) => stripSecrets(item as unknown, removed, `${path}[${index}]`)) as T;
  if (typeof value === "object" && value !== null) {
    const copy: Record<string, unknown> = {};
    for (const [field, fieldValue] of Object.entries(value as Record<string, unknown>)) {
      const fieldPath = path ? `${path}.${field}` : field;
      if (isSecretFieldName(field)) {
        removed.push(fieldPath);
        continue;
      }
      copy[field] = stripSecrets(fieldValue, removed, fieldPath);
    }
    return copy as T;
  }
  return value;
}
