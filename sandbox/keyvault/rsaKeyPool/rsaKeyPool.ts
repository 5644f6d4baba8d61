// The committed pool of RSA-2048 keys, each generated on its own (see generateRsaKeyPool.ts): handed out once per
// process, so no two versions anywhere in one sandbox share a key or a factor. Past the pool, keys are generated.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../../packageRoot";

export const RSA_KEY_POOL_FILE = "rsa-2048.json";

/** The two primes of one key, base64url (JWK `p` and `q`). */
export interface PooledRsaKey {
  p: string;
  q: string;
}

/** Where the pool is committed (compiled code reads it from the source tree too). */
export function rsaKeyPoolPath(): string {
  return join(packageRoot(), "sandbox", "keyvault", "rsaKeyPool", RSA_KEY_POOL_FILE);
}

let pooled: PooledRsaKey[] | undefined;
let nextIndex = 0;

function load(): PooledRsaKey[] {
  pooled ??= JSON.parse(readFileSync(rsaKeyPoolPath(), "utf8")) as PooledRsaKey[];
  return pooled;
}

/** Every pooled key (tests check them pairwise). */
export function pooledRsaKeys(): readonly PooledRsaKey[] {
  return load();
}

/** The next unused pooled key in this process, or undefined once all were handed out. */
export function takePooledRsaKey(): PooledRsaKey | undefined {
  const keys = load();
  return nextIndex < keys.length ? keys[nextIndex++] : undefined;
}

export function fromBase64Url(value: string): bigint {
  return BigInt(`0x${Buffer.from(value, "base64url").toString("hex")}`);
}
