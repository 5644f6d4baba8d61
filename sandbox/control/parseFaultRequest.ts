// Validates a `POST /faults` body into a target name and a FaultSpec, or says what is wrong with it.
import { FAULT_TARGET_NAMES, type FaultSpec, type FaultTargetName } from "./types";

export class ControlRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const MAX_LATENCY_MS = 60_000;

export function parseFaultRequest(body: unknown): { target: FaultTargetName; spec: FaultSpec } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw bad("the body must be a JSON object {target, errorRate, statuses, latencyMs, throttle}");
  }
  const {
    target,
    errorRate = 0,
    statuses = [503],
    latencyMs = 0,
    throttle,
  } = body as Record<string, unknown>;
  if (typeof target !== "string" || !(FAULT_TARGET_NAMES as readonly string[]).includes(target)) {
    throw bad(`target must be one of ${FAULT_TARGET_NAMES.join(", ")}`);
  }
  if (typeof errorRate !== "number" || !(errorRate >= 0 && errorRate <= 1)) {
    throw bad("errorRate must be a number from 0 to 1");
  }
  if (
    !Array.isArray(statuses) ||
    statuses.length === 0 ||
    statuses.some((status) => !Number.isInteger(status) || status < 400 || status > 599)
  ) {
    throw bad("statuses must be a non-empty array of HTTP statuses from 400 to 599");
  }
  if (typeof latencyMs !== "number" || !(latencyMs >= 0 && latencyMs <= MAX_LATENCY_MS)) {
    throw bad(`latencyMs must be a number from 0 to ${MAX_LATENCY_MS}`);
  }
  if (throttle !== undefined && typeof throttle !== "boolean") throw bad("throttle must be true or false");
  return {
    target: target as FaultTargetName,
    spec: { errorRate, statuses: statuses as number[], latencyMs, throttle },
  };
}

function bad(message: string): ControlRequestError {
  return new ControlRequestError(400, "BadRequest", message);
}
