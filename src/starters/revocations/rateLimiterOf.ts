// The per-key rate limiter of revoke/restore requests, built once per Services (one process, one host start).
import { createTableRateLimiter, RATE_LIMITS_TABLE, type KeyRateLimiter } from "../../lib/revocations";
import type { Services } from "../../lib/services";

const limiters = new WeakMap<Services, KeyRateLimiter>();

export function rateLimiterOf(services: Services): KeyRateLimiter {
  let limiter = limiters.get(services);
  if (!limiter) {
    limiter = createTableRateLimiter(services.clients.tableClient(RATE_LIMITS_TABLE));
    limiters.set(services, limiter);
  }
  return limiter;
}
