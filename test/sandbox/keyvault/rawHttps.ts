// Test helper: raw https calls to an emulated vault, to check wire details the SDK hides (headers, exact JSON).
import { request } from "node:https";
import { mintSandboxToken } from "../../../sandbox/identity";
import { testTls } from "../../../sandbox/tls";

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: unknown;
}

export function rawCall(
  url: string,
  options: { method?: string; principalId?: string; body?: unknown } = {},
): Promise<RawAnswer> {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (options.principalId)
    headers.Authorization = `Bearer ${mintSandboxToken({ oid: options.principalId, aud: "https://vault.azure.net" })}`;
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      { method: options.method ?? "GET", headers, ca: testTls().caPem },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
        incoming.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({
            status: incoming.statusCode ?? 0,
            headers: incoming.headers,
            json: text ? (JSON.parse(text) as unknown) : undefined,
          });
        });
      },
    );
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

/**
 * Paths where `actual` lacks a field of the spec example or has another JSON type there. Extra fields
 * in `actual` are allowed (Key Vault adds fields across api-versions); tag names are free-form.
 */
export function shapeMismatches(example: unknown, actual: unknown, path = "$"): string[] {
  const typeOf = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);
  if (typeOf(example) !== typeOf(actual))
    return [`${path}: example ${typeOf(example)}, emulator ${typeOf(actual)}`];
  if (Array.isArray(example) && Array.isArray(actual)) {
    return example.length > 0 && actual.length > 0
      ? shapeMismatches(example[0], actual[0], `${path}[0]`)
      : [];
  }
  if (typeOf(example) !== "object" || path.endsWith(".tags")) return [];
  const exampleObject = example as Record<string, unknown>;
  const actualObject = actual as Record<string, unknown>;
  return Object.keys(exampleObject).flatMap((key) =>
    key in actualObject
      ? shapeMismatches(exampleObject[key], actualObject[key], `${path}.${key}`)
      : [`${path}.${key}: missing`],
  );
}
