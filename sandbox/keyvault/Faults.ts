// Per-vault fault injection: a share of key requests fails with chosen statuses (some only after they were carried
// out, as when a gateway times out after the vault committed), and every request can be slowed.
import { KeyVaultError } from "./errors";

export interface FaultSettings {
  /** Share of requests (0..1) that fail. */
  errorRate: number;
  /** Statuses a failing request answers with, picked at random (default [503]). */
  statuses: number[];
  /** Added to every key request before it is served. */
  latencyMs: number;
  /** Injected 429s and 503s carry no `Retry-After` (Key Vault's own 429s sometimes carry none). */
  omitRetryAfter: boolean;
  /**
   * Share (0..1) of the failing requests that are carried out before the error is answered, as when a
   * gateway gives up on a request the vault has already committed: a create made its version, the
   * caller only sees the 503 (default 0: a failing request changes nothing).
   */
  servedFirstShare: number;
}

export const NO_FAULTS: FaultSettings = {
  errorRate: 0,
  statuses: [503],
  latencyMs: 0,
  omitRetryAfter: false,
  servedFirstShare: 0,
};

const CODES: Record<number, string> = {
  408: "RequestTimeout",
  429: "Throttled",
  500: "InternalServerError",
  502: "BadGateway",
  503: "ServiceUnavailable",
  504: "GatewayTimeout",
};

/** Validates fault settings from the emulator API or the control API; throws 400 BadParameter. */
export function parseFaultSettings(input: unknown): FaultSettings {
  const body = typeof input === "object" && input !== null ? (input as Record<string, unknown>) : {};
  const errorRate = body.errorRate ?? 0;
  const statuses = body.statuses ?? [503];
  const latencyMs = body.latencyMs ?? 0;
  const omitRetryAfter = body.omitRetryAfter ?? false;
  const servedFirstShare = body.servedFirstShare ?? 0;
  if (typeof errorRate !== "number" || errorRate < 0 || errorRate > 1) {
    throw new KeyVaultError(400, "BadParameter", "errorRate must be a number from 0 to 1.");
  }
  if (
    !Array.isArray(statuses) ||
    statuses.length === 0 ||
    statuses.some((s) => !Number.isInteger(s) || s < 400 || s > 599)
  ) {
    throw new KeyVaultError(
      400,
      "BadParameter",
      "statuses must be a non-empty array of HTTP statuses from 400 to 599.",
    );
  }
  if (typeof latencyMs !== "number" || latencyMs < 0 || latencyMs > 60_000) {
    throw new KeyVaultError(400, "BadParameter", "latencyMs must be a number from 0 to 60000.");
  }
  if (typeof omitRetryAfter !== "boolean") {
    throw new KeyVaultError(400, "BadParameter", "omitRetryAfter must be true or false.");
  }
  if (typeof servedFirstShare !== "number" || servedFirstShare < 0 || servedFirstShare > 1) {
    throw new KeyVaultError(400, "BadParameter", "servedFirstShare must be a number from 0 to 1.");
  }
  return { errorRate, statuses: statuses as number[], latencyMs, omitRetryAfter, servedFirstShare };
}

export class Faults {
  settings: FaultSettings = NO_FAULTS;

  /**
   * Waits the injected latency, then throws the injected error for an unlucky request, or returns it
   * when the request is to be carried out first and answered with the error afterwards.
   */
  async apply(random = Math.random): Promise<KeyVaultError | undefined> {
    const { errorRate, statuses, latencyMs, omitRetryAfter, servedFirstShare } = this.settings;
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    if (errorRate === 0 || random() >= errorRate) return undefined;
    const status = statuses[Math.floor(random() * statuses.length)];
    const headers: Record<string, string> =
      (status === 429 || status === 503) && !omitRetryAfter ? { "Retry-After": "1" } : {};
    const error = new KeyVaultError(
      status,
      CODES[status] ?? "InjectedFault",
      `Injected fault (status ${status}).`,
      undefined,
      headers,
    );
    if (servedFirstShare > 0 && random() < servedFirstShare) return error;
    throw error;
  }
}
