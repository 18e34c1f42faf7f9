// A checker that throws yields "unknown" carrying its error, and the checkers after it still run.
import { expect, test } from "vitest";
import { mergeVerdicts, runChecker, runCheckers, type Checker } from "../check/checker.ts";

const boom: Checker = {
  name: "test/boom",
  check: async () => {
    throw new Error("index 7 out of range");
  },
};
const fine: Checker = { name: "test/fine", check: async () => [{ name: "test/fine", valid: true, summary: "holds" }] };

test("a throwing checker yields unknown with its error; the others still run", async () => {
  const ctx = { tracesDir: "/nonexistent", artifactsDir: "/nonexistent" };
  const [r] = await runChecker(boom, ctx);
  expect(r).toMatchObject({ name: "test/boom", valid: "unknown", summary: 'checker "test/boom" crashed: index 7 out of range' });
  expect(String((r!.details as { error: string }).error)).toMatch(/index 7 out of range\n\s+at /);
  const all = await runCheckers([boom, fine], ctx);
  expect(all.map((x) => [x.name, x.valid])).toEqual([["test/boom", "unknown"], ["test/fine", true]]);
  expect(mergeVerdicts(all.map((x) => x.valid))).toBe("unknown");
});
