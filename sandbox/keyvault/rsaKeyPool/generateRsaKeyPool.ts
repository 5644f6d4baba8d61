// Writes the committed pool of RSA-2048 keys: each from its own node:crypto key generation, so no two keys share a
// prime. Run after a build: `node dist/sandbox/keyvault/rsaKeyPool/generateRsaKeyPool.js [count]`.
import { generateKeyPair } from "node:crypto";
import { writeFileSync } from "node:fs";
import { promisify } from "node:util";
import { rsaKeyPoolPath, type PooledRsaKey } from "./rsaKeyPool";

const generateKeyPairAsync = promisify(generateKeyPair);

async function main(count: number): Promise<void> {
  const keys: PooledRsaKey[] = [];
  for (let index = 0; index < count; index += 1) {
    const { privateKey } = await generateKeyPairAsync("rsa", { modulusLength: 2048 });
    const jwk = privateKey.export({ format: "jwk" });
    if (!jwk.p || !jwk.q) throw new Error("node:crypto exported an RSA key without its primes");
    keys.push({ p: jwk.p, q: jwk.q });
  }
  const target = rsaKeyPoolPath();
  writeFileSync(target, `${JSON.stringify(keys, null, 1)}\n`);
  console.log(`wrote ${keys.length} RSA-2048 keys to ${target}`);
}

void main(Number(process.argv[2] ?? 320));
