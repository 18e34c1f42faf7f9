// TLA+ value strings: every value in a sample of the corpus parses and survives format → parse; equality is
// structural; malformed text names the offset and what was expected.
import { PGO_TRACES } from "../../testdata/paths.ts";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { expect, test } from "vitest";
import { listTraceFiles, readTrace } from "./reader.ts";
import { formatTlaValue, parseTlaValue, tlaEquals, tlaTextEquals } from "./tla-value.ts";

const corpus = PGO_TRACES;

test("every value, index and oldValue in dqueue, locksvc and one raftkvs run parses and round-trips", async () => {
  const runs: string[] = [];
  for (const set of ["dqueue/ok", "locksvc/ok", "raftkvs-1server/ok"]) {
    const names = (await readdir(join(corpus, set))).sort();
    for (const r of set.startsWith("raftkvs") ? names.slice(0, 1) : names) runs.push(join(corpus, set, r));
  }
  const kinds = new Set<string>();
  let values = 0;
  for (const run of runs) {
    for (const file of await listTraceFiles(run)) {
      for await (const { record } of readTrace(file)) {
        for (const e of record.csElements) {
          for (const text of [e.value, ...e.indices, ...(e.oldValue === undefined ? [] : [e.oldValue])]) {
            const v = parseTlaValue(text);
            kinds.add(v.kind);
            values++;
            expect(tlaEquals(parseTlaValue(formatTlaValue(v)), v), text).toBe(true);
          }
        }
      }
    }
  }
  expect(values).toBeGreaterThan(10_000);
  // The corpus has all of these (README: strings, integers, booleans, tuples, sets, functions, defaultInitValue).
  expect([...kinds].sort()).toEqual(["bool", "function", "int", "model", "seq", "set", "string"]);
});

test("equality is structural", () => {
  const eq = (a: string, b: string) => tlaEquals(parseTlaValue(a), parseTlaValue(b));
  expect(eq('{"a", "b"}', '{"b", "a", "a"}')).toBe(true);
  expect(eq('{"a", "b"}', '{"a"}')).toBe(false);
  expect(eq('(("k") :> (1) @@ ("j") :> (2))', '("j" :> 2 @@ "k" :> 1)')).toBe(true);
  expect(eq('("k" :> 1 @@ "j" :> 2)', '("k" :> 1 @@ "j" :> 3)')).toBe(false);
  expect(eq('[a |-> 1, b |-> 2]', '[b |-> 2, a |-> 1]')).toBe(true);
  expect(eq('[a |-> 1]', '("a" :> 1)')).toBe(true); // a record is a function of its field names
  expect(eq("<<4, 5>>", "(1 :> 4 @@ 2 :> 5)")).toBe(true); // a tuple is a function of 1..n
  expect(eq("<<4, 5>>", "<<5, 4>>")).toBe(false);
  expect(eq("<<>>", "[x \\in {} |-> x]")).toBe(true);
  expect(eq("[x \\in {1, 2} |-> x]", "(1 :> 1 @@ 2 :> 2)")).toBe(true);
  expect(eq("1", '"1"')).toBe(false);
  expect(eq("12345678901234567890123", "12345678901234567890123")).toBe(true);
  expect(eq("-1", "1")).toBe(false);
  expect(eq("TRUE", "FALSE")).toBe(false);
  expect(eq("defaultInitValue", "defaultInitValue")).toBe(true);
  expect(eq("defaultInitValue", '"defaultInitValue"')).toBe(false);
  expect(eq('"a\\"b"', '"a\\"b"')).toBe(true);
  expect(parseTlaValue('"a\\"b\\\\"')).toEqual({ kind: "string", value: 'a"b\\' });
  expect(tlaTextEquals("(1 :> 2)", "((1) :> (2))")).toBe(true);
});

test("malformed values name the offset and what was expected", () => {
  expect(() => parseTlaValue("<<1 2>>")).toThrow('TLA+ value at offset 4: expected ">>", got "2>>"');
  expect(() => parseTlaValue("((1) :> ")).toThrow(/offset 8: expected a value .* got the end/);
  expect(() => parseTlaValue('"abc')).toThrow(/offset 4: expected a closing "/);
  expect(() => parseTlaValue("{1, 2")).toThrow(/offset 5: expected "}"/);
  expect(() => parseTlaValue("[a |-> 1, a |-> 2]")).toThrow(/expected a new field name/);
  expect(() => parseTlaValue("1 @@ 2")).toThrow(/expected a function "k :> v" on each side of "@@"/);
  expect(() => parseTlaValue("1 2")).toThrow(/offset 2: expected the end of the value/);
  expect(() => parseTlaValue("")).toThrow(/offset 0: expected a value/);
});
