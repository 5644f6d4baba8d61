// Splits query text into the tokens of the emulator's KQL subset; characters outside it are UnsupportedQuery.
import { unsupportedQuery } from "./unsupportedQuery";

export type Token =
  | { kind: "name"; text: string; offset: number }
  | { kind: "string"; text: string; offset: number }
  | { kind: "number"; text: string; offset: number }
  | { kind: "symbol"; text: string; offset: number }
  | { kind: "end"; text: ""; offset: number };

/** Longest first, so `=~` is not read as `=` then `~`. */
const SYMBOLS = ["=~", "==", "!=", "!~", "<=", ">=", "|", ",", "(", ")", ".", "=", "<", ">", "[", "]", "!"];
const NAME = /[A-Za-z_][A-Za-z0-9_-]*/y;
const NUMBER = /[0-9]+(\.[0-9]+)?/y;

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let offset = 0;
  while (offset < text.length) {
    const char = text[offset];
    if (/\s/.test(char)) {
      offset++;
      continue;
    }
    if (char === "'" || char === '"') {
      const { value, next } = readString(text, offset);
      tokens.push({ kind: "string", text: value, offset });
      offset = next;
      continue;
    }
    NAME.lastIndex = offset;
    const name = NAME.exec(text);
    if (name) {
      tokens.push({ kind: "name", text: name[0], offset });
      offset += name[0].length;
      continue;
    }
    NUMBER.lastIndex = offset;
    const number = NUMBER.exec(text);
    if (number) {
      tokens.push({ kind: "number", text: number[0], offset });
      offset += number[0].length;
      continue;
    }
    const symbol = SYMBOLS.find((s) => text.startsWith(s, offset));
    if (!symbol) throw unsupportedQuery(`the character '${char}' (at offset ${offset})`);
    tokens.push({ kind: "symbol", text: symbol, offset });
    offset += symbol.length;
  }
  tokens.push({ kind: "end", text: "", offset });
  return tokens;
}

function readString(text: string, start: number): { value: string; next: number } {
  const quote = text[start];
  let value = "";
  let offset = start + 1;
  while (offset < text.length) {
    const char = text[offset];
    if (char === "\\" && offset + 1 < text.length) {
      value += text[offset + 1];
      offset += 2;
      continue;
    }
    if (char === quote) return { value, next: offset + 1 };
    value += char;
    offset++;
  }
  throw unsupportedQuery(`an unterminated string literal (at offset ${start})`);
}
