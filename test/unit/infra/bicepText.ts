// A tiny reader of Bicep source text for tests: params, resources with their bodies, app settings (no compiler offline).
import { readFileSync } from "node:fs";

export interface BicepResource {
  symbol: string;
  /** e.g. Microsoft.Authorization/roleAssignments */
  type: string;
  isExisting: boolean;
  /** Text between the resource's outer braces. */
  body: string;
}

export interface BicepParam {
  name: string;
  type: string;
  hasDefault: boolean;
}

export function readBicep(path: string): string {
  // Line comments go: they may mention anything and must not count as configuration.
  return readFileSync(path, "utf8").replace(/^\s*\/\/.*$/gm, "");
}

export function params(text: string): BicepParam[] {
  return [...text.matchAll(/^param\s+(\w+)\s+(\w+)(\s*=)?/gm)].map((match) => ({
    name: match[1],
    type: match[2],
    hasDefault: match[3] !== undefined,
  }));
}

/** The text inside the braces that open at `openIndex`. */
export function blockAt(text: string, openIndex: number): string {
  let depth = 0;
  for (let index = openIndex; index < text.length; index++) {
    if (text[index] === "{") depth++;
    if (text[index] === "}" && --depth === 0) return text.slice(openIndex + 1, index);
  }
  throw new Error(`unbalanced braces from offset ${openIndex}`);
}

export function resources(text: string): BicepResource[] {
  const pattern = /^resource\s+(\w+)\s+'([^'@]+)@[^']+'\s+(existing\s+)?=[^{\n]*\{/gm;
  return [...text.matchAll(pattern)].map((match) => ({
    symbol: match[1],
    type: match[2],
    isExisting: match[3] !== undefined,
    body: blockAt(text, (match.index ?? 0) + match[0].length - 1),
  }));
}

/** `{ name: 'X', value: <expr> }` entries of siteConfig.appSettings, as name → value expression. */
export function appSettings(text: string): Map<string, string> {
  const start = text.indexOf("appSettings: [");
  if (start < 0) throw new Error("no appSettings array");
  const end = text.indexOf("\n      ]", start);
  const block = text.slice(start, end);
  return new Map(
    [...block.matchAll(/\{\s*name:\s*'([^']+)',\s*value:\s*(.+?)\s*\}\s*$/gm)].map((m) => [m[1], m[2]]),
  );
}

/** The value expression of `key:` inside a body (first occurrence). */
export function property(body: string, key: string): string | undefined {
  return new RegExp(`^\\s*${key}:\\s*(.+)$`, "m").exec(body)?.[1].trim();
}
