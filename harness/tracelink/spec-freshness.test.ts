// Every MPCal spec a system carries (systems/<name>/<name>.tla) must hold the translation of its MPCal text as it
// is now; and the freshness check itself notices an edit, a missing stamp and a missing translation.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { projectRoot } from "../paths.ts";
import { mpcalDigest, SpecFreshnessError, specFreshness, stampSpec } from "./spec-freshness.ts";

async function systemSpecs(): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(projectRoot, "systems"), { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    for (const f of await readdir(join(projectRoot, "systems", entry.name))) {
      if (!f.endsWith(".tla")) continue;
      const path = join(projectRoot, "systems", entry.name, f);
      if (/^\s*--mpcal\s/m.test(await readFile(path, "utf8"))) out.push(path);
    }
  }
  return out.sort();
}

test("raftkvs carries an MPCal spec", async () => {
  expect(await systemSpecs()).toContain(join(projectRoot, "systems/raftkvs/raftkvs.tla"));
});

describe("each system spec's committed translation is as new as its MPCal text", async () => {
  for (const spec of await systemSpecs()) {
    test(spec.slice(projectRoot.length + 1), async () => {
      const f = specFreshness(await readFile(spec, "utf8"), spec.slice(projectRoot.length + 1));
      expect(f.fresh, f.fresh ? "" : f.reason).toBe(true);
    });
  }
});

describe("the freshness check", () => {
  const spec = [
    "---- MODULE t ----",
    "(*",
    "--mpcal t {",
    "  archetype A() { l: skip; }",
    "  process (P = 1) == instance A();",
    "}",
    "\\* BEGIN PLUSCAL TRANSLATION",
    "--algorithm t {",
    "}",
    "\\* END PLUSCAL TRANSLATION",
    "*)",
    "\\* BEGIN TRANSLATION",
    "\\* END TRANSLATION",
    "====",
  ].join("\n");

  test("a stamped spec is fresh; the stamp sits inside the PlusCal translation", () => {
    const stamped = stampSpec(spec, "t.tla");
    expect(specFreshness(stamped, "t.tla")).toEqual({ fresh: true, digest: mpcalDigest(spec) });
    const lines = stamped.split("\n");
    expect(lines[lines.indexOf("\\* BEGIN PLUSCAL TRANSLATION") + 1]).toBe(`\\* mpcal-sha256: ${mpcalDigest(spec)}`);
    // Stamping again replaces the stamp rather than adding one.
    expect(stampSpec(stamped, "t.tla")).toBe(stamped);
  });

  test("an edit of the MPCal text after stamping makes it stale", () => {
    const edited = stampSpec(spec, "t.tla").replace("l: skip;", "l: print 1;");
    const f = specFreshness(edited, "t.tla");
    expect(f.fresh).toBe(false);
    if (!f.fresh) expect(f.reason).toMatch(/t\.tla: the translation is older than the MPCal text .*pcalgen/);
  });

  test("an edit outside the MPCal block (properties after the translation) keeps it fresh", () => {
    const edited = stampSpec(spec, "t.tla").replace("====", "Inv == TRUE\n====");
    expect(specFreshness(edited, "t.tla").fresh).toBe(true);
  });

  test("a regenerated translation without a stamp, or no translation at all, is not fresh", () => {
    const unstamped = specFreshness(spec, "t.tla");
    expect(unstamped.fresh).toBe(false);
    if (!unstamped.fresh) expect(unstamped.reason).toMatch(/no "\\\* mpcal-sha256:" stamp/);
    const empty = specFreshness(stampSpec(spec.replace("--algorithm t {\n}\n", ""), "t.tla"), "t.tla");
    expect(empty.fresh).toBe(false);
    if (!empty.fresh) expect(empty.reason).toMatch(/no PlusCal translation/);
  });

  test("a file without an MPCal block or translation markers is refused with one line", () => {
    expect(() => specFreshness("---- MODULE x ----\n====", "x.tla")).toThrow(SpecFreshnessError);
    expect(() => specFreshness("--mpcal x {\n}\n", "x.tla")).toThrow(/x\.tla: no "\\\* BEGIN PLUSCAL TRANSLATION" line/);
  });
});
