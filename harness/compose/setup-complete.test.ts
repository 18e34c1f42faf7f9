import { describe, expect, test } from "vitest";
import { findSetupComplete, pollDelay } from "./setup-complete.ts";

describe("setup-complete detection", () => {
  test("finds the documented line among SDK output, in any file", () => {
    const files = new Map([
      ["a.jsonl", '{"antithesis_assert":{"id":"x"}}\n'],
      ["b.jsonl", '{"antithesis_sdk":{"language":{}}}\n{"antithesis_setup":{"status":"complete","details":null}}\n'],
    ]);
    expect(findSetupComplete(files)).toEqual({ file: "b.jsonl", details: null });
  });

  test("ignores other statuses and a half-written line", () => {
    const files = new Map([["a.jsonl", '{"antithesis_setup":{"status":"starting"}}\n{"antithesis_setup":{"status":"compl']]);
    expect(findSetupComplete(files)).toBeUndefined();
  });
});

describe("poll delay", () => {
  test("looks again after 100 ms in the first 5 s, then every 500 ms", () => {
    expect(pollDelay(1_000, 1_000)).toBe(100);
    expect(pollDelay(1_000, 5_999)).toBe(100);
    expect(pollDelay(1_000, 6_000)).toBe(500);
  });
});
