// `pgo-harness run` refuses a bad workload variable before building or starting anything, in one line.
import { join } from "node:path";
import { execa } from "execa";
import { expect, test } from "vitest";
import { projectRoot } from "../paths.ts";

test("RAFTKVS_OPS=-5 stops the run before build and up, naming the variable", async () => {
  const r = await execa(process.execPath, [join(projectRoot, "harness/cli/pgo-harness.mjs"), "run", "raftkvs", "-e", "RAFTKVS_OPS=-5"], { cwd: projectRoot, reject: false, all: true });
  expect(r.exitCode).toBe(1);
  expect(r.all).toBe('pgo-harness run: RAFTKVS_OPS must be an integer from 1 to 1000000000 (got "-5")');
});
