import { describe, expect, test } from "vitest";
import { loadSettings } from "./settings.ts";

describe("settings", () => {
  test("defaults, and an empty variable counts as unset", () => {
    const s = loadSettings({ BASE_IMAGE: "", KEEP: "" }, "/p");
    expect(s.baseImage).toBeUndefined();
    expect(s.keep).toBe(false);
    expect(s.cacheDir).toBe("/p/.cache");
    expect(s.setupTimeoutMs).toBe(180_000);
  });
  test("a bad value is refused with the variable's name and value", () => {
    expect(() => loadSettings({ SETUP_TIMEOUT: "soon" })).toThrow(/SETUP_TIMEOUT must be a number of seconds.*"soon"/);
    expect(() => loadSettings({ KEEP: "yes" })).toThrow(/KEEP must be "1" or "0"/);
    expect(() => loadSettings({ DEBIAN_MIRROR: "not a url" })).toThrow(/DEBIAN_MIRROR/);
  });
});
