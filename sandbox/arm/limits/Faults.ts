// Fault injection for the ARM emulator: random error statuses, added latency, and writes left "Updating".
import { ArmError, isRecord } from "../http/armHttp";

export interface ArmFaults {
  /** Share of requests (0..1) answered with one of `statuses` instead of being served. */
  errorRate?: number;
  /** Statuses to pick from (default [503]). */
  statuses?: number[];
  /** Added delay before every request, in real milliseconds. */
  latencyMs?: number;
  /**
   * When set, writes are accepted but the resource stays `provisioningState: "Updating"` (and keeps its previous
   * effective settings) for this many virtual milliseconds before the change applies.
   */
  updatingMs?: number;
}

const ERROR_CODES: Record<number, string> = {
  408: "RequestTimeout",
  409: "Conflict",
  429: "TooManyRequests",
  500: "InternalServerError",
  502: "BadGateway",
  503: "ServiceUnavailable",
  504: "GatewayTimeout",
};

/** Holds the current faults and applies them to each request. */
export class FaultInjector {
  private faults: ArmFaults = {};

  current(): ArmFaults {
    return { ...this.faults };
  }

  set(faults: ArmFaults): void {
    this.faults = { ...faults };
  }

  clear(): void {
    this.faults = {};
  }

  /** Virtual milliseconds a write stays "Updating", or 0. */
  updatingMs(): number {
    return this.faults.updatingMs ?? 0;
  }

  /** Waits the injected latency, then throws the injected error for this request if the dice say so. */
  async apply(): Promise<void> {
    const { latencyMs = 0, errorRate = 0, statuses = [503] } = this.faults;
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    if (errorRate > 0 && Math.random() < errorRate) {
      const status = statuses[Math.floor(Math.random() * statuses.length)] ?? 503;
      const headers: Record<string, string> = status === 429 || status === 503 ? { "retry-after": "1" } : {};
      throw new ArmError(
        status,
        ERROR_CODES[status] ?? "InjectedFault",
        `Injected fault (${status}).`,
        headers,
      );
    }
  }
}

/** Validates a faults body from the control API; anything malformed is a 400 naming the field. */
export function parseFaults(body: unknown): ArmFaults {
  if (!isRecord(body))
    throw new ArmError(400, "InvalidRequestContent", "The faults body must be a JSON object.");
  const faults: ArmFaults = {};
  const { errorRate, statuses, latencyMs, updatingMs } = body;
  if (errorRate !== undefined) {
    if (typeof errorRate !== "number" || errorRate < 0 || errorRate > 1)
      throw invalid("errorRate must be a number 0..1");
    faults.errorRate = errorRate;
  }
  if (statuses !== undefined) {
    const isValid =
      Array.isArray(statuses) &&
      statuses.length > 0 &&
      statuses.every((s) => Number.isInteger(s) && (s as number) >= 400 && (s as number) <= 599);
    if (!isValid) throw invalid("statuses must be a non-empty array of HTTP statuses 400..599");
    faults.statuses = statuses as number[];
  }
  if (latencyMs !== undefined) {
    if (typeof latencyMs !== "number" || latencyMs < 0 || latencyMs > 60_000)
      throw invalid("latencyMs must be 0..60000");
    faults.latencyMs = latencyMs;
  }
  if (updatingMs !== undefined) {
    if (typeof updatingMs !== "number" || updatingMs < 0)
      throw invalid("updatingMs must be a non-negative number");
    faults.updatingMs = updatingMs;
  }
  return faults;
}

function invalid(message: string): ArmError {
  return new ArmError(400, "InvalidRequestContent", message);
}
