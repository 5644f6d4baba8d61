// Key Vault's 429 without Retry-After: back off 1, 2, 4, 8, 16 s, the one retry the SDK's own policies leave out.
import type { PipelinePolicy, PipelineResponse } from "@azure/core-rest-pipeline";

/** Key Vault's guidance for a 429 that names no wait (key-vault overview-throttling): 1, 2, 4, 8, 16 s. */
export const KEY_VAULT_BACKOFF_MS: readonly number[] = [1_000, 2_000, 4_000, 8_000, 16_000];

/** Headers the SDK's throttling retry honours; a 429 with any of them is the SDK's to retry. */
const WAIT_HEADERS = ["retry-after", "retry-after-ms", "x-ms-retry-after-ms"];

export interface KeyVaultBackoffOptions {
  /** First wait; the next ones double (default 1 s). Tests shorten it; the app's `retryDelayInMs` sets it. */
  firstDelayMs?: number;
  /** How many times to back off (default 5; the app's `maxRetries` caps it, 0 turns it off). */
  maxRetries?: number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function isThrottledWithoutWait(response: PipelineResponse): boolean {
  return response.status === 429 && WAIT_HEADERS.every((name) => !response.headers.get(name));
}

/**
 * core-rest-pipeline 1.24 (ts-http-runtime 0.3) retries a 429 only when it names a wait (its
 * throttling strategy skips one without, and its exponential strategy covers only 408 and 5xx), so
 * a bare 429 would fail the call at once. This policy sits inside the SDK's retry loop and waits
 * 1, 2, 4, 8, 16 s before sending again; a 429 with Retry-After, and every other answer, pass
 * straight through to the SDK's own policies. After the last wait the 429 goes back to the caller
 * (a ThrottledError for the activity's retry).
 */
export function keyVaultThrottlingBackoffPolicy(options: KeyVaultBackoffOptions = {}): PipelinePolicy {
  const firstDelayMs = options.firstDelayMs ?? KEY_VAULT_BACKOFF_MS[0];
  const maxRetries = Math.min(options.maxRetries ?? KEY_VAULT_BACKOFF_MS.length, KEY_VAULT_BACKOFF_MS.length);
  const sleep = options.sleep ?? defaultSleep;
  return {
    name: "keyVaultThrottlingBackoffPolicy",
    async sendRequest(request, next) {
      let response = await next(request);
      for (let retry = 0; retry < maxRetries && isThrottledWithoutWait(response); retry += 1) {
        await sleep(firstDelayMs * 2 ** retry);
        response = await next(request);
      }
      return response;
    },
  };
}
