// Unit tests of Table Storage key encoding and newest-first row keys.
import { describe, expect, it } from "vitest";
import { decodeTableKey, encodeTableKey, fromInvertedTime, invertedTime } from "../../../../src/lib/tables";

describe("table key encoding", () => {
  it.each([
    ["kv1/cmk", "kv1~2Fcmk"],
    ["a\\b#c?d", "a~5Cb~23c~3Fd"],
    ["tab\there\u0000nul\u007f\u009f", "tab~09here~00nul~7F~9F"],
    ["100% ~ 'quoted'", "100~25 ~7E ~27quoted~27"],
    ["plain-Name_1.2", "plain-Name_1.2"],
  ])("encodes %j", (raw, encoded) => {
    expect(encodeTableKey(raw)).toBe(encoded);
    // eslint-disable-next-line no-control-regex -- asserting that control characters are gone
    expect(encodeTableKey(raw)).not.toMatch(/[/\\#?\u0000-\u001f\u007f-\u009f]/);
    expect(decodeTableKey(encoded)).toBe(raw);
  });

  it("round-trips every character below 0x100", () => {
    const all = Array.from({ length: 256 }, (_, code) => String.fromCharCode(code)).join("");
    expect(decodeTableKey(encodeTableKey(all))).toBe(all);
  });

  it("makes newer instants sort first as fixed-width strings", () => {
    const older = invertedTime(Date.parse("2026-01-01T00:00:00Z"));
    const newer = invertedTime(Date.parse("2026-01-01T00:00:00.001Z"));
    expect(newer < older).toBe(true);
    expect(older).toHaveLength(newer.length);
    expect(invertedTime(0)).toBe(String(Number.MAX_SAFE_INTEGER));
    expect(fromInvertedTime(newer)).toBe(Date.parse("2026-01-01T00:00:00.001Z"));
    expect(() => invertedTime(-1)).toThrow(RangeError);
  });
});
