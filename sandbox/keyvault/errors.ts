// Key Vault's error vocabulary: an error carries the HTTP status and the {error:{code,message}} body Key Vault sends.

export interface KeyVaultErrorBody {
  error: { code: string; message: string; innererror?: { code: string } };
}

/** Thrown anywhere in the emulator; the server turns it into Key Vault's JSON error response. */
export class KeyVaultError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly innerCode?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "KeyVaultError";
  }

  toBody(): KeyVaultErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.innerCode ? { innererror: { code: this.innerCode } } : {}),
      },
    };
  }
}

export function badParameter(message: string): KeyVaultError {
  return new KeyVaultError(400, "BadParameter", message);
}

export function keyNotFound(name: string, version?: string): KeyVaultError {
  const what = version ? `${name}/${version}` : name;
  return new KeyVaultError(
    404,
    "KeyNotFound",
    `A key with (name/id) ${what} was not found in this key vault. If you recently deleted this key you may be able to recover it using the correct recovery command.`,
  );
}

/** Key Vault's answer to any use of a disabled version, reading it included: 403 with inner code KeyDisabled. */
export function keyDisabled(operation: string): KeyVaultError {
  return new KeyVaultError(
    403,
    "Forbidden",
    `Operation ${operation} is not allowed on a disabled key.`,
    "KeyDisabled",
  );
}

export function notFound(message: string): KeyVaultError {
  return new KeyVaultError(404, "NotFound", message);
}
