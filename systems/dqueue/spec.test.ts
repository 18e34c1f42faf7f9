// dqueue carries its design, systems/dqueue/dqueue.tla: an MPCal spec and its translation by `pgo.jar pcalgen`.
// tracegen and TLC read only the translation, so it must be the one of the current MPCal text (stamped right
// after each regeneration, see harness/tracelink/spec-stamp.ts), and the spec's archetypes and labels must be
// the ones the Go code records. No JVM needed.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { projectRoot } from "../../harness/paths.ts";
import { checkStamp, SpecStampError, stampSpec } from "../../harness/tracelink/spec-stamp.ts";
import dqueue from "./system.ts";

const specPath = join(projectRoot, "systems/dqueue/dqueue.tla");
const spec = readFileSync(specPath, "utf8");

/** Replaces exactly one occurrence, so that a mutant cannot silently miss its target. */
function mutate(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Error(`mutant target must occur once: ${from}`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

describe("dqueue.tla: the committed translation is the MPCal's", () => {
  test("the definition names this spec", () => {
    expect(dqueue.spec).toBe(specPath);
  });

  test("the stamp matches the MPCal text and both generated parts", () => {
    expect(checkStamp(spec)).toEqual({ ok: true });
    // Stamping again changes nothing: the committed stamp is the current one.
    expect(stampSpec(spec)).toBe(spec);
  });

  test("an MPCal edit without a regeneration is reported stale", () => {
    // The consumer outputs what it read, plus one: a different design, same old translation.
    const edited = mutate(spec, "c2: proc := net[self];", "c2: proc := net[self] + 1;");
    const status = checkStamp(edited);
    expect(status.ok).toBe(false);
    expect(!status.ok && status.reason).toMatch(/older than the MPCal text/);
    // A change to a mapping macro or a constant counts too.
    expect(checkStamp(mutate(spec, "await $variable < NUM_ITEMS;", "await $variable <= NUM_ITEMS;")).ok).toBe(false);
    expect(checkStamp(mutate(spec, "NUM_ITEMS      \\* the input stream", "NUM_ITEMS, X   \\* the input stream")).ok).toBe(false);
  });

  test("a hand edit of the generated TLA+ or PlusCal is reported", () => {
    const tla = checkStamp(mutate(spec, "/\\ taken' = (taken) + (1)", "/\\ taken' = (taken) + (2)"));
    expect(!tla.ok && tla.reason).toMatch(/generated TLA\+ translation was edited/);
    const pluscal = checkStamp(mutate(spec, "      taken := (taken) + (1);", "      taken := (taken) + (2);"));
    expect(!pluscal.ok && pluscal.reason).toMatch(/generated PlusCal translation was edited/);
  });

  test("a regenerated translation is unstamped until stamped, then accepted", () => {
    // pcalgen rewrites the PlusCal area whole, which drops the stamp lines.
    const regenerated = spec.replace(/^\\\* stamp .*\n/gm, "");
    const status = checkStamp(regenerated);
    expect(!status.ok && status.reason).toMatch(/not stamped/);
    expect(stampSpec(regenerated)).toBe(spec);
  });

  test("whitespace and line endings do not make a translation stale", () => {
    expect(checkStamp(spec.replace(/\n/g, "\r\n")).ok).toBe(true);
    expect(checkStamp(spec.replace("c1: net[PRODUCER] := self;", "c1: net[PRODUCER] := self;   ")).ok).toBe(true);
  });

  test("a file without the translation markers is a clear error", () => {
    expect(() => checkStamp("---- MODULE x ----\n====\n")).toThrow(SpecStampError);
    expect(() => checkStamp(spec.replace(/^\\\* END TRANSLATION$/m, ""))).toThrow(/END TRANSLATION/);
  });
});

describe("dqueue.tla: archetypes and labels are the Go code's", () => {
  // `<Archetype>.<label>` for every label of every archetype of the MPCal block.
  const mpcal = spec.slice(spec.indexOf("--mpcal"), spec.indexOf("\\* BEGIN PLUSCAL TRANSLATION"));
  const specLabels = new Set<string>();
  for (const m of mpcal.matchAll(/archetype\s+(\w+)\s*\(([^]*?)(?=archetype\s|\bvariables\s)/g)) {
    for (const l of m[2]!.matchAll(/^\s*(\w+):/gm)) specLabels.add(`${m[1]}.${l[1]}`);
  }
  const goLabels = new Set<string>();
  const go = readFileSync(join(projectRoot, "systems/dqueue/dqueue.go"), "utf8");
  for (const m of go.matchAll(/"(A\w+\.\w+)"/g)) goLabels.add(m[1]!);

  test("the same labels on both sides", () => {
    expect(specLabels.size).toBe(6);
    expect([...goLabels].sort()).toEqual([...specLabels].sort());
  });
});
