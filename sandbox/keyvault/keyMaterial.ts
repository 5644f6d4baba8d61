// Real key pairs for new key versions: RSA from a background pool of primes, EC generated on demand, all off the event loop.
import { generateKeyPair, generatePrime, type KeyObject } from "node:crypto";
import { promisify } from "node:util";
import { isUsablePrime, rsaKeyFromPrimes } from "./primePairs";

const generateKeyPairAsync = promisify(generateKeyPair);

function generatePrimeAsync(bits: number): Promise<bigint> {
  return new Promise((resolve, reject) =>
    generatePrime(bits, { bigint: true }, (error, prime) => (error ? reject(error) : resolve(prime))),
  );
}

export type RsaKeySize = 2048 | 3072 | 4096;
export const RSA_KEY_SIZES: readonly RsaKeySize[] = [2048, 3072, 4096];
export type EcCurve = "P-256" | "P-384" | "P-521" | "P-256K";
export const EC_CURVES: readonly EcCurve[] = ["P-256", "P-384", "P-521", "P-256K"];

const NODE_CURVE: Record<EcCurve, string> = {
  "P-256": "prime256v1",
  "P-384": "secp384r1",
  "P-521": "secp521r1",
  "P-256K": "secp256k1",
};

/** The public half as JWK members (base64url), exactly what Key Vault puts in the key bundle. */
export type PublicJwk = { n: string; e: string } | { crv: string; x: string; y: string };

export interface KeyMaterial {
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicJwk: PublicJwk;
}

/**
 * Primes of one modulus size and the next unused pair (i, j), i < j. Every pair is used once, so
 * each key has its own modulus; k primes give k(k-1)/2 keys, which is what lets the emulator
 * create keys far faster than Key Vault's create limit. Keys share factors with other emulator
 * keys: fine for a sandbox, never for real data.
 */
class PrimePairSource {
  private readonly primes: bigint[] = [];
  private i = 0;
  private j = 1;
  private generating: Promise<void> | undefined;

  constructor(private readonly modulusBits: RsaKeySize) {}

  unusedPairs(): number {
    const k = this.primes.length;
    if (this.j >= k) return 0;
    return (k * (k - 1)) / 2 - ((this.j * (this.j - 1)) / 2 + this.i);
  }

  async take(): Promise<KeyMaterial> {
    for (;;) {
      while (this.j >= this.primes.length) await this.addPrime();
      const p = this.primes[this.j];
      const q = this.primes[this.i];
      this.i++;
      if (this.i === this.j) {
        this.j++;
        this.i = 0;
      }
      const material = rsaKeyFromPrimes(p, q, this.modulusBits);
      if (material) return material;
    }
  }

  /** One prime at a time per size, on libuv's thread pool. */
  addPrime(): Promise<void> {
    this.generating ??= (async () => {
      try {
        for (;;) {
          const prime = await generatePrimeAsync(this.modulusBits / 2);
          if (isUsablePrime(prime)) {
            this.primes.push(prime);
            return;
          }
        }
      } finally {
        this.generating = undefined;
      }
    })();
    return this.generating;
  }
}

/** Keeps RSA keys ready per size (topped up in the background) and makes EC keys on demand. */
export class KeyMaterialPool {
  private readonly sources = new Map<RsaKeySize, PrimePairSource>();
  private isStopped = false;

  constructor(private readonly readyPerSize: Record<RsaKeySize, number>) {
    for (const size of RSA_KEY_SIZES) {
      this.sources.set(size, new PrimePairSource(size));
      this.topUp(size);
    }
  }

  async takeRsa(size: RsaKeySize): Promise<KeyMaterial> {
    const material = await this.source(size).take();
    this.topUp(size);
    return material;
  }

  async takeEc(curve: EcCurve): Promise<KeyMaterial> {
    const { privateKey, publicKey } = await generateKeyPairAsync("ec", { namedCurve: NODE_CURVE[curve] });
    const jwk = publicKey.export({ format: "jwk" });
    return { privateKey, publicKey, publicJwk: { crv: jwk.crv ?? "", x: jwk.x ?? "", y: jwk.y ?? "" } };
  }

  /** Resolves once every size has its ready count (benchmarks call it before measuring). */
  async warm(): Promise<void> {
    for (const size of RSA_KEY_SIZES) {
      while (!this.isStopped && this.source(size).unusedPairs() < this.readyPerSize[size])
        await this.source(size).addPrime();
    }
  }

  stop(): void {
    this.isStopped = true;
  }

  private source(size: RsaKeySize): PrimePairSource {
    const source = this.sources.get(size);
    if (!source) throw new RangeError(`unsupported RSA size ${size}`);
    return source;
  }

  private topUp(size: RsaKeySize): void {
    const source = this.source(size);
    if (this.isStopped || source.unusedPairs() >= this.readyPerSize[size]) return;
    source.addPrime().then(
      () => this.topUp(size),
      (error: unknown) =>
        console.error(
          `keyvault emulator: prime generation failed: ${error instanceof Error ? error.message : String(error)}`,
        ),
    );
  }
}
