// Real key pairs for new key versions: RSA-2048 from the committed pool of independently generated keys, any other
// size (and RSA-2048 past the pool) generated; EC generated on demand; generation runs off the event loop.
import { generateKeyPair, type KeyObject } from "node:crypto";
import { promisify } from "node:util";
import { fromBase64Url, takePooledRsaKey } from "./rsaKeyPool/rsaKeyPool";
import { rsaKeyFromPrimes } from "./rsaPrimes";

const generateKeyPairAsync = promisify(generateKeyPair);

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

function rsaMaterial(privateKey: KeyObject, publicKey: KeyObject): KeyMaterial {
  const jwk = publicKey.export({ format: "jwk" });
  return { privateKey, publicKey, publicJwk: { n: jwk.n ?? "", e: jwk.e ?? "" } };
}

/**
 * RSA keys of one size, each with its own two primes (keys sharing a factor are breakable): the committed pool
 * first (2048 only), then fresh generations kept ready in the background, one at a time.
 */
class RsaKeySource {
  private readonly ready: KeyMaterial[] = [];
  private generating: Promise<void> | undefined;

  constructor(private readonly modulusBits: RsaKeySize) {}

  readyCount(): number {
    return this.ready.length;
  }

  async take(): Promise<KeyMaterial> {
    const pooled = this.modulusBits === 2048 ? takePooledRsaKey() : undefined;
    if (pooled) {
      const material = rsaKeyFromPrimes(fromBase64Url(pooled.p), fromBase64Url(pooled.q), this.modulusBits);
      if (material) return material;
    }
    while (this.ready.length === 0) await this.generate();
    return this.ready.shift() as KeyMaterial;
  }

  /** One generation at a time per size, on libuv's thread pool. */
  generate(): Promise<void> {
    this.generating ??= generateKeyPairAsync("rsa", { modulusLength: this.modulusBits })
      .then(({ privateKey, publicKey }) => {
        this.ready.push(rsaMaterial(privateKey, publicKey));
      })
      .finally(() => {
        this.generating = undefined;
      });
    return this.generating;
  }
}

/** Keeps RSA keys ready per size (topped up in the background) and makes EC keys on demand. */
export class KeyMaterialPool {
  private readonly sources = new Map<RsaKeySize, RsaKeySource>();
  private isStopped = false;
  private isHeld = false;

  constructor(private readonly readyPerSize: Record<RsaKeySize, number>) {
    for (const size of RSA_KEY_SIZES) {
      this.sources.set(size, new RsaKeySource(size));
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
      while (!this.isStopped && this.source(size).readyCount() < this.readyPerSize[size])
        await this.source(size).generate();
    }
  }

  stop(): void {
    this.isStopped = true;
  }

  /**
   * While held, keys taken are not replaced in the background: a benchmark warms the pool for every
   * key it will make, then holds it so no generation competes with what it measures.
   */
  hold(isHeld: boolean): void {
    this.isHeld = isHeld;
    if (!isHeld) for (const size of RSA_KEY_SIZES) this.topUp(size);
  }

  private source(size: RsaKeySize): RsaKeySource {
    const source = this.sources.get(size);
    if (!source) throw new RangeError(`unsupported RSA size ${size}`);
    return source;
  }

  private topUp(size: RsaKeySize): void {
    const source = this.source(size);
    if (this.isStopped || this.isHeld || source.readyCount() >= this.readyPerSize[size]) return;
    source.generate().then(
      () => this.topUp(size),
      (error: unknown) =>
        console.error(
          `keyvault emulator: RSA key generation failed: ${error instanceof Error ? error.message : String(error)}`,
        ),
    );
  }
}
