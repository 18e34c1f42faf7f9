// withRecordBudget: the pgo.jar check runs on runs up to the budget and is skipped, with the count, above it.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import type { Checker, CheckResult } from "../../harness/check/checker.ts";
import { withRecordBudget } from "./checks.ts";

const dir = await mkdtemp(join(tmpdir(), "raftkvs-budget-"));
afterAll(() => rm(dir, { recursive: true, force: true }));
// Three records in two files (the last line of one without its newline), and a file that is not a trace.
await writeFile(join(dir, "trace-1-11.log"), "{}\n{}\n");
await writeFile(join(dir, "trace-7-12.log"), "{}");
await writeFile(join(dir, "notes.txt"), "x\ny\nz\n");

function inner(): Checker & { calls: number } {
  const c = {
    name: "tracelink/pgo-jar",
    calls: 0,
    async check(): Promise<CheckResult[]> {
      c.calls++;
      return [{ name: "tracelink/pgo-jar", valid: true, summary: "TLC accepts the traces" }];
    },
  };
  return c;
}

test("at or under the budget the inner check runs and its result is returned", async () => {
  const c = inner();
  const results = await withRecordBudget(c, 3, "why").check({ tracesDir: dir, artifactsDir: dir });
  expect(c.calls).toBe(1);
  expect(results).toEqual([{ name: "tracelink/pgo-jar", valid: true, summary: "TLC accepts the traces" }]);
});

test("over the budget it is skipped, naming the record count, the budget and the reason", async () => {
  const c = inner();
  const [result] = await withRecordBudget(c, 2, "TLC is too slow").check({ tracesDir: dir, artifactsDir: dir });
  expect(c.calls).toBe(0);
  expect(result?.name).toBe("tracelink/pgo-jar");
  expect(result?.valid).toBe("unknown");
  expect(result?.skipped).toBe("3 trace records, more than the 2 pgo.jar + TLC can check in this test's time (TLC is too slow)");
});
