// RSA private keys assembled from two primes: the arithmetic that turns (p, q, e) into a JWK Node can import.
import { createPrivateKey, createPublicKey, type JsonWebKey } from "node:crypto";
import type { KeyMaterial } from "./keyMaterial";

const PUBLIC_EXPONENT = 65_537n;

function modInverse(value: bigint, modulus: bigint): bigint {
  let [oldR, r] = [value % modulus, modulus];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const quotient = oldR / r;
    [oldR, r] = [r, oldR - quotient * r];
    [oldS, s] = [s, oldS - quotient * s];
  }
  if (oldR !== 1n) throw new RangeError("value has no inverse for this modulus");
  return ((oldS % modulus) + modulus) % modulus;
}

function toBase64Url(value: bigint): string {
  const hex = value.toString(16);
  return Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, "hex").toString("base64url");
}

/**
 * Builds the RSA key n = p·q, or returns undefined when the product misses the requested modulus
 * length or p = q. The CRT parameters are what OpenSSL itself would store.
 */
export function rsaKeyFromPrimes(p: bigint, q: bigint, modulusBits: number): KeyMaterial | undefined {
  const n = p * q;
  if (n.toString(2).length !== modulusBits || p === q) return undefined;
  const phi = (p - 1n) * (q - 1n);
  const d = modInverse(PUBLIC_EXPONENT, phi);
  const jwk: JsonWebKey = {
    kty: "RSA",
    n: toBase64Url(n),
    e: toBase64Url(PUBLIC_EXPONENT),
    d: toBase64Url(d),
    p: toBase64Url(p),
    q: toBase64Url(q),
    dp: toBase64Url(d % (p - 1n)),
    dq: toBase64Url(d % (q - 1n)),
    qi: toBase64Url(modInverse(q, p)),
  };
  const privateKey = createPrivateKey({ key: jwk, format: "jwk" });
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, publicJwk: { n: jwk.n ?? "", e: jwk.e ?? "" } };
}
